// The terser pass of the firmware build (scripts/espruino/compress.ts): what it must never do
// to code that Espruino runs.
import { parse } from 'acorn';
import { fullAncestor } from 'acorn-walk';
import { describe, expect, it } from 'vitest';
import { compress, compressionProblem } from '../scripts/espruino/compress.ts';

/** `this` whose nearest enclosing function is an arrow (where it would mean something else). */
function arrowsUsingThis(code: string): number {
  let n = 0;
  fullAncestor(parse(code, { ecmaVersion: 2022 }), (node: any, _state: unknown, ancestors: any[]) => {
    if (node.type !== 'ThisExpression') return;
    const fn = [...ancestors].reverse().find((a) => /Function/.test(a.type));
    if (fn && fn.type === 'ArrowFunctionExpression') n++;
  });
  return n;
}

describe('firmware compression pass', () => {
  it('refuses output with a number literal the input did not spell, or syntax Espruino lacks', () => {
    expect(compressionProblem('f(1/3)', 'f(.3333333333333333)')).toMatch(/number literal/);
    expect(compressionProblem('f(2**60)', 'f(1152921504606846976)')).toMatch(/number literal/);
    expect(compressionProblem('total=total||fallback', 'total||=fallback')).toMatch(/\|\|=/);
    expect(compressionProblem('f(24*60, 0.5)', 'f(1440,0.5)')).toBeUndefined();
  });

  it('keeps decimals as written, new Error as written, functions that use this as functions, text in ASCII', async () => {
    // (Long names in these strings: the build reserves every `.name` and `name:` that tests spell.)
    const src =
      '(()=>{var factor=0.1,obj={scaled:function(){return this.value*factor},nargs:function(){return arguments.length}};' +
      'if(!obj)throw new Error("no");report(obj,"caf\\u00e9",1e3*60,-0.25)})();\n';
    const out = await compress(src, 'test.js');
    expect(out.length).toBeLessThan(src.length);
    expect(out).toContain('.1');
    expect(out).toContain('new Error');
    expect(out).toContain('\\xe9');
    expect(/^[\x00-\x7f]*$/.test(out)).toBe(true);
    expect(arrowsUsingThis(out)).toBe(0);
    expect(out).toMatch(/arguments/);
    const got: unknown[] = [];
    new Function('report', out)((o: { scaled(): number; nargs(...a: unknown[]): number }, s: string, n: number, d: number) =>
      got.push(o.scaled.call({ value: 20 }), o.nargs(1, 2), s, n, d),
    );
    expect(got).toEqual([2, 2, 'café', 60000, -0.25]);
  });

  it('keeps the input when terser does not make it shorter', async () => {
    expect(await compress('window.status=1', 'tiny.js')).toBe('window.status=1');
  });
});
