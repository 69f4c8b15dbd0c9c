// An ESTIMATE of Espruino JsVars (12-16 bytes each), for memory budgets: the Puck.js v2 has
// 2630 JsVars, the Bangle.js 2 12000. The rules follow how Espruino stores values: one var per
// object or array, one per property name (small ints and short values sit in the name), one
// per non-integer number, strings in blocks of about 12 chars, typed arrays as a header plus a
// flat string of bytes. Functions are counted from the source each file defines (functionVars):
// code run from Storage stays in flash, but every function the code defines costs about five
// JsVars plus one per parameter (measured on the real interpreter, the Bangle.js 2 emulator:
// 100 one-parameter functions took 606 JsVars, whether declarations, methods or literals).
// V8 does not let us see variables held only in closures, so state inside an IIFE bundle counts
// through its functions but not its values; test/puck-emulator.test.ts measures the real thing.

import { parse } from 'acorn';
import { full } from 'acorn-walk';

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
    // The function itself is counted by functionVars when its code was run.
    return props(v as object, seen);
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

const FUNCTION_VARS = 5;
const ELEMENT_BYTES: Record<string, number> = { Int8Array: 1, Uint8Array: 1, Int16Array: 2, Uint16Array: 2, Int32Array: 4, Uint32Array: 4, Float32Array: 4, Float64Array: 8 };

interface NewNode {
  callee: { type: string; name?: string };
  arguments: { type: string; value?: unknown }[];
}

function typedArrayVars(node: NewNode): number {
  const size = node.callee.type === 'Identifier' ? ELEMENT_BYTES[node.callee.name ?? ''] : undefined;
  const arg = node.arguments[0];
  if (size === undefined || arg === undefined || arg.type !== 'Literal' || typeof arg.value !== 'number') return 0;
  return 2 + Math.ceil((arg.value * size) / 12);
}
const parsed = new Map<string, number>();

/** JsVars of the functions `code` defines (when run once): about 5 each plus 1 per parameter. */
export function functionVars(code: string): number {
  const known = parsed.get(code);
  if (known !== undefined) return known;
  let n = 0;
  try {
    full(parse(code, { ecmaVersion: 'latest', allowReturnOutsideFunction: true }), (node) => {
      if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') n += FUNCTION_VARS + (node as unknown as { params: unknown[] }).params.length;
      // A variable's name (its value, when held only by a closure, is invisible to the walk).
      else if (node.type === 'VariableDeclarator') n += 1;
      // A typed array of constant length, counted once per place that makes one: state held in a
      // closure (a pedometer's buffers) is otherwise invisible to the walk.
      else if (node.type === 'NewExpression') n += typedArrayVars(node as unknown as NewNode);
    });
  } catch {
    n = 0; // not JavaScript the estimate can read: the run itself reports the error
  }
  if (code.length > 200) parsed.set(code, n);
  return n;
}

/** Fixed cost of the interpreter's own objects at power-on (measured roughly on the boards). */
export const BASE_VARS = { BANGLEJS2: 350, PUCKJS2: 60 } as const;
export const TOTAL_VARS = { BANGLEJS2: 12000, PUCKJS2: 2630 } as const;

/** Everything the device code created: its globals plus the callbacks the runtime holds. */
export function estimateContext(ctx: object, builtins: Set<string>, held: unknown[], codeVars = 0): number {
  const seen = new Set<unknown>();
  let n = codeVars;
  for (const k of Object.getOwnPropertyNames(ctx)) {
    if (builtins.has(k)) continue;
    n += 1 + estimateSize((ctx as Record<string, unknown>)[k], seen);
  }
  for (const h of held) n += estimateSize(h, seen);
  return n;
}
