// The firmware build's last pass: terser over esbuild's minified output (about 5% smaller: it
// inlines single-use functions and constants, joins statements, reuses variables), limited to
// what Espruino runs and checked afterwards:
// - ecma 2015 output: no `**`, `??=`, `||=`, optional chaining or other later syntax is
//   introduced (the subset check of every built file still runs after this pass);
// - no `unsafe*` option: they assume things about built-ins (`new Error()` -> `Error()`,
//   `String(x)` -> `""+x`, comparisons without NaN) that Espruino was never checked for, for a
//   few bytes; no `pure_getters` (reorders and drops property reads) and no `unsafe_arrows`
//   (turns functions that may use `this` into arrows): `arrows` only rewrites functions that
//   use neither `this` nor `arguments`;
// - no function hoisting (`hoist_funs` stays off: Espruino does not hoist declarations), and
//   inlining only of functions without parameters (`inline: 1`): deeper inlining turns the
//   parameters into a `var` after the `return`, and Espruino does not hoist `var` either, so
//   the inlined code wrote the enclosing function's variable (it broke the Bangle's core on the
//   real interpreter; the subset check now reports any use before a `var`);
// - property names are left alone (renaming them is esbuild's job, with the rules of
//   mangle.ts); only local names are shortened;
// - ASCII output, as esbuild writes it: non-ASCII characters stay escaped;
// - number literals stay exact: Espruino parses decimals without correct rounding, so every
//   non-integer literal of the output must be spelled exactly as in the input (a folded `1/3`
//   would be a new, differently parsed constant) and every integer must be a safe integer.

import { parse } from 'acorn';
import { full } from 'acorn-walk';
import { minify, type MinifyOptions } from 'terser';

export const TERSER_OPTIONS: MinifyOptions = {
  ecma: 2015,
  compress: { ecma: 2015, passes: 3, inline: 1, hoist_funs: false, unsafe: false, unsafe_arrows: false, pure_getters: false, keep_fargs: true },
  mangle: { toplevel: false },
  format: { ecma: 2015, ascii_only: true, comments: false },
};

/** Later syntax terser could emit with other settings, which Espruino does not parse. */
const LATER_ASSIGNMENTS = new Set(['||=', '&&=', '??=', '**=']);

interface NumberLiteral {
  raw: string;
  value: number;
}

function numbers(code: string): NumberLiteral[] {
  const out: NumberLiteral[] = [];
  full(parse(code, { ecmaVersion: 2022, sourceType: 'script' }), (node: any) => {
    // `0.5` and `.5` are the same digits to any parser: compare without the leading zero.
    if (node.type === 'Literal' && typeof node.value === 'number') out.push({ raw: String(node.raw).replace(/^0(?=\.)/, ''), value: node.value });
  });
  return out;
}

/** Why terser's output may not replace esbuild's, or undefined when it may. */
export function compressionProblem(before: string, after: string): string | undefined {
  const spelled = new Set(numbers(before).filter((n) => !Number.isInteger(n.value)).map((n) => n.raw));
  for (const n of numbers(after)) {
    if (Number.isInteger(n.value) ? !Number.isSafeInteger(n.value) : !spelled.has(n.raw)) return `number literal ${n.raw} is not in the input`;
  }
  let later: string | undefined;
  full(parse(after, { ecmaVersion: 2022, sourceType: 'script' }), (node: any) => {
    if (node.type === 'AssignmentExpression' && LATER_ASSIGNMENTS.has(node.operator)) later = node.operator;
  });
  if (later !== undefined) return `${later} is not Espruino syntax`;
  return undefined;
}

/** terser over one built file; throws when its output breaks a rule above. Keeps the input when that is shorter. */
export async function compress(code: string, file: string): Promise<string> {
  const r = await minify(code, TERSER_OPTIONS);
  const out = r.code;
  if (out === undefined) throw new Error(`${file}: terser produced nothing`);
  const problem = compressionProblem(code, out);
  if (problem !== undefined) throw new Error(`${file}: the compression pass changed the program: ${problem}`);
  return out.length < code.length ? out : code;
}
