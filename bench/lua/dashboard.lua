-- GET /api/v1/patient/dashboard, each request with the next patient's access token.
-- Arguments: a file with one access token per line.
dofile("common.lua")

function init(args)
  tokens = read_lines(args[1])
end

function request()
  return wrk.format("GET", "/api/v1/patient/dashboard", {
    ["Authorization"] = "Bearer " .. next_value(tokens),
  })
end
