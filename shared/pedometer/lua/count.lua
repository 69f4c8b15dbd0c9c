-- Count the steps of a recording CSV read from stdin with the Lua build of the pedometer:
--   npm run build:lua && lua5.4 dist/lua/count.lua < recording.csv
-- Prints the count as an integer. A malformed line is reported on stderr as "stdin:LINE: reason"
-- with exit status 1. Accepts what shared/recording/csv.ts accepts, so both count the same files.

-- Modules sit beside this script: find them from its own path, whatever the working directory.
local dir = (arg and arg[0] or ""):match("^(.*[/\\])") or "./"
package.path = dir .. "?.lua;" .. package.path

require("typedarrays") -- defines the global Int16Array etc. that compiled code expects
local new = require("lualib_bundle").__TS__New -- what compiled `new Pedometer(plainLoops)` calls
local Pedometer = require("pedometer").Pedometer
local plainLoops = require("periodicity").plainLoops

local TIME_NAMES = { ["time (ms)"] = true, ["time(ms)"] = true, time = true, t = true, time_ms = true }

local function fail(line_no, reason)
  io.stderr:write(string.format("stdin:%d: %s\n", line_no, reason))
  os.exit(1)
end

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- The line's comma-separated fields, trimmed; plain split, so "1,,2" gives an empty field.
local function fields(line)
  local out = {}
  for field in (line .. ","):gmatch("([^,]*),") do out[#out + 1] = trim(field) end
  return out
end

-- Plain decimal like the JS parser: sign, digits, and (time only) one fraction; no exponent or hex.
local function parse(field, name, allow_fraction, line_no)
  if field:match("^[+-]?%d+$") or (allow_fraction and field:match("^[+-]?%d+%.%d+$")) then
    return tonumber(field)
  end
  if field == "" then fail(line_no, name .. " is empty") end
  fail(line_no, string.format('%s is not %s: "%s"', name, allow_fraction and "a number" or "an integer", field))
end

local pedometer = new(Pedometer, plainLoops)
local line_no, header_seen, prev_t, prev_line = 0, false, nil, 0
for line in io.lines() do
  line_no = line_no + 1
  line = line:gsub("\r$", "")
  if line_no == 1 then line = line:gsub("^\239\187\191", "") end -- UTF-8 byte order mark
  if line:match("^%s*$") then
    -- blank lines are skipped anywhere
  elseif not header_seen then
    local names = fields(line:lower())
    if not (#names == 4 and TIME_NAMES[names[1]] and names[2] == "x" and names[3] == "y" and names[4] == "z") then
      fail(line_no, string.format('expected header "Time (ms),X,Y,Z", found "%s"', line))
    end
    header_seen = true
  else
    local f = fields(line)
    if #f ~= 4 then fail(line_no, string.format("expected 4 values (time,X,Y,Z), found %d", #f)) end
    local t = parse(f[1], "time", true, line_no)
    if prev_t and t <= prev_t then
      fail(line_no, string.format("time %s %s the previous sample's time %s (line %d)",
        f[1], t == prev_t and "repeats" or "is before", prev_t, prev_line))
    end
    local x = parse(f[2], "X", false, line_no)
    local y = parse(f[3], "Y", false, line_no)
    local z = parse(f[4], "Z", false, line_no)
    pedometer:push(prev_t and t - prev_t or 0, x, y, z)
    prev_t, prev_line = t, line_no
  end
end
if not header_seen then fail(1, 'empty file: expected header "Time (ms),X,Y,Z"') end

-- A window's analysis still under way at the end (it runs over the six samples after the window
-- fills) credits its steps now, as countSteps does in JavaScript.
pedometer:finish()

-- Lua numbers print as "12.0" when they are floats (every `/` makes one): print an integer.
print(string.format("%d", math.floor(pedometer.steps)))
