import fengari from 'fengari';

const { lua, lauxlib, lualib, to_luastring, to_jsstring } = fengari;
type LuaState = ReturnType<typeof lauxlib.luaL_newstate>;

/**
 * A Lua 5.3 state (fengari) that `require`s modules from memory: each Lua file of a build is put in
 * package.preload under its module name, so nothing depends on fengari's file access or on a
 * working directory. Differences from lua5.4 that matter here: integers are 32-bit and wrap
 * (50000 * 50000 is negative), and there is no io.read (so the stdin driver is not run here).
 */
export class LuaVm {
  private readonly L: LuaState = lauxlib.luaL_newstate();

  /** `modules`: Lua source by module name, e.g. "pedometer", "lualib_bundle", "typedarrays". */
  constructor(modules: ReadonlyMap<string, string>) {
    const L = this.L;
    lualib.luaL_openlibs(L);
    lua.lua_getglobal(L, to_luastring('package'));
    lua.lua_getfield(L, -1, to_luastring('preload'));
    for (const [name, source] of modules) {
      this.check(lauxlib.luaL_loadbuffer(L, to_luastring(source), null, to_luastring(`@${name}.lua`)));
      lua.lua_setfield(L, -2, to_luastring(name));
    }
    lua.lua_settop(L, 0);
  }

  /**
   * Runs a chunk after setting each of `inputs` as a global Lua array (1-based) of numbers, and
   * returns the array of numbers the chunk returns. Integral inputs become Lua integers, as
   * `tonumber("85")` would make them in the stdin driver; others become floats.
   */
  run(chunk: string, inputs: Record<string, ArrayLike<number>> = {}): number[] {
    const L = this.L;
    for (const [name, values] of Object.entries(inputs)) {
      lua.lua_createtable(L, values.length, 0);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (Number.isInteger(v) && Math.abs(v) < 2 ** 31 && !Object.is(v, -0)) lua.lua_pushinteger(L, v);
        else lua.lua_pushnumber(L, v);
        lua.lua_rawseti(L, -2, i + 1);
      }
      lua.lua_setglobal(L, to_luastring(name));
    }
    lua.lua_getglobal(L, to_luastring('debug'));
    lua.lua_getfield(L, -1, to_luastring('traceback')); // message handler at index 2: errors get a traceback
    this.check(lauxlib.luaL_loadbuffer(L, to_luastring(chunk), null, to_luastring('=chunk')));
    this.check(lua.lua_pcall(L, 0, 1, 2));
    const out: number[] = [];
    if (!lua.lua_istable(L, -1)) throw new Error('the Lua chunk must return an array of numbers');
    const n = lua.lua_rawlen(L, -1);
    for (let i = 1; i <= n; i++) {
      lua.lua_rawgeti(L, -1, i);
      if (!lua.lua_isnumber(L, -1)) throw new Error(`element ${i} of the returned array is not a number`);
      out.push(lua.lua_tonumber(L, -1));
      lua.lua_pop(L, 1);
    }
    lua.lua_settop(L, 0);
    return out;
  }

  /** Throws the Lua error message on the stack if `status` is not LUA_OK. */
  private check(status: number): void {
    if (status === lua.LUA_OK) return;
    const message = lua.lua_tostring(this.L, -1);
    lua.lua_settop(this.L, 0);
    throw new Error(`Lua: ${message ? to_jsstring(message) : `error status ${status}`}`);
  }
}
