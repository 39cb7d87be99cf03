-- GET of the URL's path with no token: the bare axum baseline.
dofile("common.lua")
