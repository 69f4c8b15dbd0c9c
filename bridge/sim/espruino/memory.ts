// An ESTIMATE of Espruino JsVars (12-16 bytes each), for memory budgets: the Puck.js v2 has
// 2630 JsVars, the Bangle.js 2 12000. The rules follow how Espruino stores values: one var per
// object or array, one per property name (small ints and short values sit in the name), one
// per non-integer number, strings in blocks of about 12 chars, typed arrays as a header plus a
// flat string of bytes, functions with their source text (Espruino keeps it and re-parses it).
// V8 does not let us see variables held only in closures, so state inside an IIFE bundle counts
// through the functions that hold it (their code) but not its values; tests of real budgets
// should keep that in mind, or publish state on a global while measuring.

export function estimateSize(v: unknown, seen: Set<unknown> = new Set()): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 0;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? 0 : 1;
  if (typeof v === 'string') return v.length <= 4 ? 0 : Math.ceil(v.length / 12);
  if (typeof v !== 'object' && typeof v !== 'function') return 1;
  if (seen.has(v)) return 0;
  seen.add(v);
  if (typeof v === 'function') {
    let code = '';
    try {
      code = Function.prototype.toString.call(v);
    } catch {
      /* a host function */
    }
    if (code.includes('[native code]')) return 1;
    return 2 + Math.ceil(code.length / 12) + props(v as object, seen);
  }
  if (Object.prototype.toString.call(v) === '[object ArrayBuffer]') return 2 + Math.ceil((v as ArrayBuffer).byteLength / 12);
  if (ArrayBuffer.isView(v)) {
    const buf = v.buffer;
    if (seen.has(buf)) return 1;
    seen.add(buf);
    return 2 + Math.ceil(buf.byteLength / 12);
  }
  return 1 + props(v as object, seen);
}

function props(o: object, seen: Set<unknown>): number {
  let n = 0;
  for (const k of Object.keys(o)) {
    let val: unknown;
    try {
      val = (o as Record<string, unknown>)[k];
    } catch {
      continue;
    }
    n += 1 + (k.length > 8 ? Math.ceil((k.length - 8) / 12) : 0) + estimateSize(val, seen);
  }
  return n;
}

/** Fixed cost of the interpreter's own objects at power-on (measured roughly on the boards). */
export const BASE_VARS = { BANGLEJS2: 350, PUCKJS2: 60 } as const;
export const TOTAL_VARS = { BANGLEJS2: 12000, PUCKJS2: 2630 } as const;

/** Everything the device code created: its globals plus the callbacks the runtime holds. */
export function estimateContext(ctx: object, builtins: Set<string>, held: unknown[]): number {
  const seen = new Set<unknown>();
  let n = 0;
  for (const k of Object.getOwnPropertyNames(ctx)) {
    if (builtins.has(k)) continue;
    n += 1 + estimateSize((ctx as Record<string, unknown>)[k], seen);
  }
  for (const h of held) n += estimateSize(h, seen);
  return n;
}
