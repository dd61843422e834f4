-- supertonic
-- an introspective drum machine
--
-- this script is only its face:
-- the machine runs in python
-- (supertonic run --ui osc);
-- keys and encoders go to it
-- over OSC and it sends back
-- the picture to show.
--
-- E2 track  E3 cursor
-- K2 play/stop  K3 step
-- K1+K3 generate from basis
-- K1+K2 generate 17-32
-- K1+E2 basis  E1 pages
--
-- PARAMS: supertonic host and
-- port, for a supertonic on
-- another machine (run it with
-- --osc-host 0.0.0.0 there)

local HOST = "127.0.0.1"
local PORT = "10112" -- supertonic's --osc-port
local REPLY_PORT = 10111 -- matron: where osc.event hears
local WIDTH, HEIGHT = 128, 64
local FRAME_BYTES = WIDTH * HEIGHT
local RESUBSCRIBE = 2 -- seconds; the subscription lasts 10
local FPS = 30

local frame = nil
local dirty = true
local last_frame_at = nil
local showing_frame = false
local subscriber = nil
local painter = nil

local function send(path, args)
  osc.send({HOST, PORT}, path, args)
end

-- frames come on every change and with every renewal of the subscription,
-- so a silent machine for three renewals has gone away
local function stale()
  return last_frame_at == nil or util.time() - last_frame_at > 3 * RESUBSCRIBE
end

local function subscribe()
  -- port, and 1: send frames too
  send("/supertonic/subscribe", {REPLY_PORT, 1})
end

local function add_address_params()
  params:add_text("supertonic_host", "supertonic host", HOST)
  params:set_action("supertonic_host", function(value)
    send("/supertonic/unsubscribe", {REPLY_PORT})
    HOST = value
    subscribe()
    dirty = true
  end)
  params:add_text("supertonic_port", "supertonic port", PORT)
  params:set_action("supertonic_port", function(value)
    send("/supertonic/unsubscribe", {REPLY_PORT})
    PORT = value
    subscribe()
    dirty = true
  end)
end

function init()
  add_address_params()
  subscribe()
  subscriber = metro.init(subscribe, RESUBSCRIBE)
  subscriber:start()
  painter = metro.init(function()
    if dirty or (showing_frame and stale()) then redraw() end
  end, 1 / FPS)
  painter:start()
end

function key(n, z)
  send("/supertonic/key", {n, z})
end

function enc(n, d)
  send("/supertonic/enc", {n, d})
end

function osc.event(path, args, from)
  if path == "/supertonic/frame" then
    local pixels = args[1]
    if type(pixels) == "string" and #pixels == FRAME_BYTES then
      frame = pixels
      last_frame_at = util.time()
      dirty = true
    end
  end
end

function redraw()
  dirty = false
  screen.clear()
  showing_frame = frame ~= nil and not stale()
  if showing_frame then
    screen.poke(0, 0, WIDTH, HEIGHT, frame)
  else
    screen.level(15)
    screen.move(0, 20)
    screen.text("waiting for supertonic")
    screen.level(4)
    screen.move(0, 34)
    screen.text("on " .. HOST .. ":" .. PORT)
    screen.move(0, 46)
    screen.text("supertonic run --ui osc")
  end
  screen.update()
end

function cleanup()
  if subscriber then subscriber:stop() end
  if painter then painter:stop() end
  send("/supertonic/unsubscribe", {REPLY_PORT})
end
