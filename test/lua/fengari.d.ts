// The part of fengari (Lua 5.3 in JavaScript, no bundled types) that test/lua/vm.ts uses.
// Strings crossing the boundary are Lua byte strings (Uint8Array): see to_luastring/to_jsstring.
declare module 'fengari' {
  type LuaState = { readonly __brand: 'lua_State' };
  type LuaString = Uint8Array;

  const fengari: {
    to_luastring(s: string): LuaString;
    to_jsstring(s: LuaString): string;
    lua: {
      LUA_OK: number;
      lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
      lua_gettop(L: LuaState): number;
      lua_settop(L: LuaState, idx: number): void;
      lua_pop(L: LuaState, n: number): void;
      lua_getglobal(L: LuaState, name: LuaString): number;
      lua_setglobal(L: LuaState, name: LuaString): void;
      lua_getfield(L: LuaState, idx: number, name: LuaString): number;
      lua_setfield(L: LuaState, idx: number, name: LuaString): void;
      lua_createtable(L: LuaState, narr: number, nrec: number): void;
      lua_pushinteger(L: LuaState, n: number): void;
      lua_pushnumber(L: LuaState, n: number): void;
      lua_rawseti(L: LuaState, idx: number, n: number): void;
      lua_rawgeti(L: LuaState, idx: number, n: number): number;
      lua_rawlen(L: LuaState, idx: number): number;
      lua_isnumber(L: LuaState, idx: number): boolean;
      lua_isinteger(L: LuaState, idx: number): boolean;
      lua_istable(L: LuaState, idx: number): boolean;
      lua_tonumber(L: LuaState, idx: number): number;
      lua_tostring(L: LuaState, idx: number): LuaString | null;
    };
    lauxlib: {
      luaL_newstate(): LuaState;
      luaL_loadbuffer(L: LuaState, buff: LuaString, size: number | null, name: LuaString): number;
      luaL_traceback(L: LuaState, L1: LuaState, msg: LuaString | null, level: number): void;
    };
    lualib: {
      luaL_openlibs(L: LuaState): void;
    };
  };
  export default fengari;
}
