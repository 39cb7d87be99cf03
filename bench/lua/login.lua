-- POST /api/v1/auth/login, rotating through accounts. Arguments: a file with one
-- `email password` pair per line.
--
-- Each account signs in from its own address in X-Forwarded-For (10.0.0.1, 10.0.0.2, ...),
-- as a clinic's users would from their own devices; the portal trusts the header because
-- the benchmark sets PORTAL_TRUSTED_PROXIES=127.0.0.1. Without it, every attempt would count
-- against the one address of the load generator, and the sign-in throttle would reject most
-- of them with 429.
dofile("common.lua")

function init(args)
  requests = {}
  for number, line in ipairs(read_lines(args[1])) do
    local email, password = string.match(line, "^(%S+) (.+)$")
    local address = string.format("10.%d.%d.%d",
      math.floor(number / 65536) % 256, math.floor(number / 256) % 256, number % 256)
    requests[#requests + 1] = wrk.format("POST", "/api/v1/auth/login", {
      ["Content-Type"] = "application/json",
      ["X-Forwarded-For"] = address,
    }, string.format('{"email":"%s","password":"%s"}', email, password))
  end
end

function request()
  return next_value(requests)
end
