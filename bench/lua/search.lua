-- GET /api/v1/provider/patients?q=<prefix>&limit=25, rotating through the providers' access
-- tokens and a list of name prefixes. Arguments: the token file, then the prefixes separated
-- by commas.
dofile("common.lua")

function init(args)
  tokens = read_lines(args[1])
  prefixes = {}
  for prefix in string.gmatch(args[2], "[^,]+") do
    prefixes[#prefixes + 1] = prefix
  end
end

function request()
  local token = next_value(tokens)
  local prefix = prefixes[(cursor % #prefixes) + 1]
  return wrk.format("GET", "/api/v1/provider/patients?q=" .. prefix .. "&limit=25", {
    ["Authorization"] = "Bearer " .. token,
  })
end
