-- Replays a list of requests (bench/traffic_mix.py writes it): one a line, the path, then
-- tab-separated "Name: value" headers. Each wrk thread starts at its own place in the list.
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("number", counter)
end

function init(args)
  requests = {}
  for line in io.lines(args[1]) do
    local fields = {}
    for field in string.gmatch(line, "[^\t]+") do
      table.insert(fields, field)
    end
    local headers = {}
    for i = 2, #fields do
      local name, value = string.match(fields[i], "^([^:]+): (.*)$")
      headers[name] = value
    end
    table.insert(requests, wrk.format("GET", fields[1], headers))
  end
  position = math.floor(#requests * (number - 1) / 2)
end

function request()
  position = position % #requests + 1
  return requests[position]
end
