-- A stand-in for the norns Lua environment, to run norns/supertonic.lua off a norns.
-- It prints every call the script makes to norns (one line each, tab-separated), so the
-- Python test can replay the script's OSC messages against the real OSC surface.
--
-- lua ui_norns_stub.lua SCRIPT HOST PORT REPLY_PORT SCENARIO [FRAME_FILE]

local script_path, host, port, reply_port, scenario, frame_path = table.unpack(arg)

local function emit(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = tostring(select(i, ...)) end
  print(table.concat(parts, "\t"))
end

local function read(path)
  local file = assert(io.open(path, "rb"))
  local text = file:read("a")
  file:close()
  return text
end

local expected_frame = frame_path and read(frame_path) or nil
local now = 0
local metros = {}

osc = {
  send = function(to, path, args)
    local parts = {"send", to[1], to[2], path}
    for _, a in ipairs(args) do
      parts[#parts + 1] = (type(a) == "number" and "n:" or "s:") .. tostring(a)
    end
    emit(table.unpack(parts))
  end,
}
metro = {
  init = function(event, time)
    local m = {event = event, time = time}
    function m:start() emit("metro_start", time) end
    function m:stop() emit("metro_stop", time) end
    metros[#metros + 1] = m
    return m
  end,
}
screen = {
  clear = function() emit("clear") end,
  update = function() emit("update") end,
  level = function() end,
  move = function() end,
  text = function(t) emit("text", t) end,
  poke = function(x, y, w, h, s)
    emit("poke", x, y, w, h, #s, s == expected_frame and "same" or "different")
  end,
}
util = {time = function() return now end}
params = {values = {}, actions = {}}
function params:add_text(id, name, default)
  self.values[id] = default
  emit("param", id, name, default)
end
function params:set_action(id, action) self.actions[id] = action end
function params:set(id, value)
  self.values[id] = value
  if self.actions[id] then self.actions[id](value) end
end

-- point the script at the test's ports, checking that its settings are where we expect
local source = read(script_path)
local function set(pattern, replacement)
  local changed, count = source:gsub(pattern, replacement)
  assert(count == 1, "setting not found: " .. pattern)
  source = changed
end
set('local HOST = "127.0.0.1"', 'local HOST = "' .. host .. '"')
set('local PORT = "10112"', 'local PORT = "' .. port .. '"')
set("local REPLY_PORT = 10111", "local REPLY_PORT = " .. reply_port)
assert(load(source, "=supertonic.lua"))()

local function fire_painter()
  for _, m in ipairs(metros) do
    if m.time < 1 then m.event() end
  end
end

init()
if scenario == "play" then
  enc(3, 1)
  key(3, 1)
  key(3, 0)
  key(1, 1)
  key(3, 1)
  key(3, 0)
  key(1, 0)
  enc(1, 1)
  for _, m in ipairs(metros) do
    if m.time >= 1 then m.event() end -- the re-subscription
  end
elseif scenario == "frame" then
  fire_painter() -- nothing received yet: it waits
  now = 1
  osc.event("/supertonic/frame", {string.rep("\0", 100)}, {"127.0.0.1", port})
  osc.event("/supertonic/other", {expected_frame}, {"127.0.0.1", port})
  fire_painter()
  osc.event("/supertonic/frame", {expected_frame}, {"127.0.0.1", port})
  fire_painter()
  fire_painter() -- unchanged: no redraw
  now = 100 -- the machine went away
  fire_painter()
elseif scenario == "address" then
  -- the PARAMS menu points the script at a supertonic on another host
  params:set("supertonic_host", "192.0.2.7")
  params:set("supertonic_port", "10200")
  key(2, 1)
  fire_painter()
end
cleanup()
