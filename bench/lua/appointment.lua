-- POST /api/v1/patient/appointments, each request with the next patient's access token.
-- Arguments: the token file, a provider id and a preferred start (RFC 3339).
dofile("common.lua")

function init(args)
  tokens = read_lines(args[1])
  body = string.format(
    '{"providerId":"%s","preferredStart":"%s","visitType":"telehealth",' ..
    '"reason":"Benchmark follow-up"}',
    args[2], args[3])
end

function request()
  return wrk.format("POST", "/api/v1/patient/appointments", {
    ["Authorization"] = "Bearer " .. next_value(tokens),
    ["Content-Type"] = "application/json",
  }, body)
end
