-- JavaScript typed arrays for TypeScript compiled by typescript-to-lua (tstl), which has none.
-- `require "typedarrays"` before any compiled module: it defines the global classes.
--
-- How tstl 1.37 compiles typed-array code (checked on its output):
--   new Int16Array(n)    -> __TS__New(Int16Array, n): reads the *global* Int16Array when it runs,
--                           then setmetatable({}, Int16Array.prototype) and instance:____constructor(n)
--   buf[i], buf[i] = v   -> unchanged, so 0-based (tstl adds 1 only for Array and tuple types)
--   buf.length           -> plain field read
--   buf.fill(v)          -> buf:fill(v), a method call (set likewise)
--   for (const v of buf) -> __TS__Iterator(buf), which would fall back to ipairs and skip index 0:
--                           unsupported, like every other member; reading one raises an error.
--
-- Two modes, chosen by install(mode); requiring the module installs "fast":
--   "fast"  elements live in the instance itself, so reads and writes are plain table accesses.
--           A written value is stored as it is: code must store only what the JS array would store
--           unchanged (integers in range for integer arrays). Writes outside 0..length-1 are
--           ignored, as in JS.
--   "exact" every write is converted as JS does: integer arrays truncate toward zero and wrap
--           (Int16Array: 40000 -> -25536, -1.7 -> -1, NaN -> 0), Float64Array stores a float,
--           Float32Array rounds to single precision. Elements live in a private table so that every
--           write reaches __newindex; this makes element access about 6 times slower (fengari).
-- In both, reading outside the array gives nil where JS gives undefined; arithmetic on it then
-- fails loudly instead of producing NaN.

local floor, ceil, huge, mtype, tointeger = math.floor, math.ceil, math.huge, math.type, math.tointeger
local VALUES = {} -- private key of an "exact" instance's element table

local function unsupported(name, key)
  error(string.format(
    "%s: '%s' is not supported by the Lua typed-array shim (use indexed loops; fill and set are the only methods)",
    name, tostring(key)), 3)
end

-- Toward zero like JS ToIntegerOrInfinity, as a Lua integer where it fits.
local function trunc(v)
  v = v >= 0 and floor(v) or ceil(v)
  return tointeger(v) or v
end

-- JS ToInt8/ToUint8/.../ToUint32. Bounds are floats because fengari's integers are only 32-bit.
local function int_converter(bits, signed)
  local mod = 2.0 ^ bits
  local lo = signed and -mod / 2 or 0
  local hi = lo + mod - 1
  return function(v)
    if mtype(v) == "integer" and v >= lo and v <= hi then return v end -- the usual case
    if v ~= v or v == huge or v == -huge then return 0 end
    v = trunc(v)
    if v < lo or v > hi then
      v = v % mod -- Lua's % with a positive divisor lands in [0, mod)
      if v > hi then v = v - mod end
    end
    if v == 0 then return 0 end -- fengari can produce an integer -0; JS integer arrays hold +0
    return tointeger(v) or v
  end
end

local function to_float64(v)
  return v * 1.0 -- not v + 0.0, which turns -0 into 0
end

-- JS Math.fround: the nearest single-precision float.
local function to_float32(v)
  return (string.unpack("<f", string.pack("<f", v)))
end

local KINDS = {
  Int8Array = int_converter(8, true),
  Uint8Array = int_converter(8, false),
  Int16Array = int_converter(16, true),
  Uint16Array = int_converter(16, false),
  Int32Array = int_converter(32, true),
  Uint32Array = int_converter(32, false),
  Float32Array = to_float32,
  Float64Array = to_float64,
}

-- The class table that __TS__New expects. `meta` is the instances' metatable; `storage(self)` is
-- the table holding the elements (the instance itself in "fast" mode).
local function class(name, convert, meta, storage, exact)
  -- JS fill(value, start = 0, end = length): negative positions count from the end.
  local function fill(self, value, first, last)
    local n = self.length
    first = first and trunc(first) or 0
    last = last and trunc(last) or n
    if first < 0 then first = first + n end
    if last < 0 then last = last + n end
    local values = storage(self)
    value = convert(value)
    for i = math.max(first, 0), math.min(last, n) - 1 do values[i] = value end
    return self
  end
  -- JS set(source, offset = 0): copies a typed array in, converted as a write would be.
  local function set(self, source, offset)
    offset = offset and trunc(offset) or 0
    local n = source.length
    if offset < 0 or offset + n > self.length then error(name .. ": set outside the array", 2) end
    local values = storage(self)
    for i = 0, n - 1 do values[offset + i] = convert(source[i]) end
  end
  local methods = { fill = fill, set = set }
  meta.__name = name
  if meta.__index == nil then
    meta.__index = function(_, key) -- only reached for keys the instance lacks
      if type(key) == "number" then return nil end
      return methods[key] or unsupported(name, key)
    end
  else
    local get = meta.__index
    meta.__index = function(self, key)
      local v = get(self, key)
      if v ~= nil or type(key) == "number" then return v end
      return methods[key] or unsupported(name, key)
    end
  end

  -- new X(length), or new X(source) with a TS array literal (a 1-based Lua table) or a typed array.
  local prototype = {}
  prototype.__index = prototype
  function prototype.____constructor(self, source)
    local values = exact and {} or self
    local n
    if type(source) == "table" then
      local base = 0
      n = rawget(source, "length")
      if n == nil then n, base = #source, 1 end
      for i = 0, n - 1 do values[i] = convert(source[i + base]) end
    else
      n = type(source) == "number" and tointeger(source) or source == nil and 0
      if not n or n < 0 then error(name .. ": invalid length " .. tostring(source), 3) end
      local zero = convert(0)
      for i = 0, n - 1 do values[i] = zero end
    end
    if exact then rawset(self, VALUES, values) end
    rawset(self, "length", n)
    setmetatable(self, meta)
  end
  return { name = name, prototype = prototype }
end

local function fast_class(name, convert)
  local meta = {
    __newindex = function(_, key) -- only reached for keys the instance lacks
      if type(key) ~= "number" then unsupported(name, key) end -- outside the array: ignored, as in JS
    end,
  }
  return class(name, convert, meta, function(self) return self end, false)
end

local function exact_class(name, convert)
  local meta = {
    __index = function(self, key) return rawget(self, VALUES)[key] end,
    __newindex = function(self, key, value)
      if type(key) ~= "number" then unsupported(name, key) end
      local values = rawget(self, VALUES)
      if values[key] ~= nil then values[key] = convert(value) end -- outside the array: ignored
    end,
  }
  return class(name, convert, meta, function(self) return rawget(self, VALUES) end, true)
end

local M = {}

--- Defines the global typed-array classes for `mode` ("fast" or "exact"). Arrays created before keep
--- their mode; tstl code reads the global at each `new`.
function M.install(mode)
  local make = mode == "fast" and fast_class or mode == "exact" and exact_class
  if not make then error("typedarrays.install: mode must be \"fast\" or \"exact\", got " .. tostring(mode), 2) end
  for name, convert in pairs(KINDS) do _G[name] = make(name, convert) end
  M.mode = mode
end

M.install("fast")
return M
