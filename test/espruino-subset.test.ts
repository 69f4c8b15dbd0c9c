import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { checkEspruinoSubset } from '../scripts/espruino/subset.ts';

/** Bundles an entry the way the firmware build does: IIFE, es2015, minified. */
async function bundle(entry: string): Promise<string> {
  const r = await build({ entryPoints: [entry], bundle: true, format: 'iife', target: 'es2015', minify: true, write: false, globalName: 'P' });
  return r.outputFiles[0].text;
}

describe('Espruino subset check', () => {
  it('passes the pedometer bundle (checked as built, bundler helpers included)', async () => {
    const code = await bundle('shared/pedometer/pedometer.ts');
    expect(checkEspruinoSubset(code)).toEqual([]);
  });

  it('reports what Espruino lacks, with line numbers', () => {
    const bad = [
      'var [a, b] = x;',
      'function f(y = 1, ...r) { return g(...r); }',
      'var o = { [k]: 1 }, p = a ** 2, q = a?.b;',
      'async function h() { await 1; }',
      'function* gen() { yield 1; }',
      'outer: for (;;) break outer;',
      'var m = new Map(), s = Array.from(x), t = Array.prototype.slice;',
      'class C { x; }',
    ].join('\n');
    const found = checkEspruinoSubset(bad).map((v) => `${v.line}:${v.what}`);
    for (const expected of [
      '1:destructuring',
      '2:default parameter or destructuring default',
      '2:rest parameter',
      '2:spread',
      '3:computed key',
      '3:** operator',
      '3:optional chaining (?.)',
      '4:async function',
      '5:generator',
      '6:labelled statement',
      '7:Map is missing',
      '7:Array.from is missing',
      '7:Array.prototype methods are undefined',
      '8:class field without initializer',
    ]) {
      expect(found).toContain(expected);
    }
  });
});
