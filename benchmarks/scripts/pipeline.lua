-- wrk script for ./weft bench http: sends DEPTH (default 16) GET /plaintext requests in one write
-- and counts every response. Usage: wrk -s pipeline.lua URL -- 16
local depth = 16

init = function(args)
  depth = tonumber(args[1]) or depth
  local batch = {}
  for i = 1, depth do
    batch[i] = wrk.format(nil, "/plaintext")
  end
  req = table.concat(batch)
end

request = function()
  return req
end
