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
      'var re = /^[0-9a-f]{12}$/, ok = /^[0-9a-f]+$/;',
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
      '9:counted regex quantifier {n} (never matches on Espruino)',
    ]) {
      expect(found).toContain(expected);
    }
  });

  describe('calls of function declarations before their definition (Espruino does not hoist)', () => {
    const hoisting = (code: string) => checkEspruinoSubset(code).filter((v) => v.what.includes('does not hoist')).map((v) => v.line);

    it('reports a direct call before the declaration, at top level and inside a function', () => {
      expect(hoisting('f();\nfunction f() {}')).toEqual([1]);
      expect(hoisting('function outer() {\n  g();\n  function g() {}\n}\nouter();')).toEqual([2]);
    });

    it('reports a call inside an IIFE, an array callback, or a named function called too early', () => {
      expect(hoisting('(function () { f(); })();\nfunction f() {}')).toEqual([1]);
      expect(hoisting('[1].forEach(function () { f(); });\nfunction f() {}')).toEqual([1]);
      expect(hoisting('function g() { f(); }\ng();\nfunction f() {}')).toEqual([1]);
      expect(hoisting('var h = () => f();\nh();\nfunction f() {}')).toEqual([1]);
    });

    it('accepts calls that only run later: handlers, timers, functions called after the declaration', () => {
      expect(hoisting('function g() { f(); }\nfunction f() {}\ng();')).toEqual([]);
      expect(hoisting('setTimeout(function () { f(); }, 1);\nfunction f() {}')).toEqual([]);
      expect(hoisting('var o = { m() { return f(); } };\nfunction f() {}')).toEqual([]);
      expect(hoisting('function f() { return f(); }\nf();')).toEqual([]);
    });

    it('respects shadowing: a local binding of the same name is not the later declaration', () => {
      expect(hoisting('function g(f) { f(); }\ng(() => 1);\nfunction f() {}')).toEqual([]);
      expect(hoisting('{ let f = () => 1; f(); }\nfunction f() {}')).toEqual([]);
    });

    it('reports a name used before its var declaration in the same function (var is not hoisted either)', () => {
      const early = (code: string) => checkEspruinoSubset(code).filter((v) => v.what.includes('before its var declaration')).map((v) => v.line);
      // terser's shape: an inlined parameter as a var after the return, which wrote the outer t
      expect(early('var t = 1;\nvar f = () => {\n  return g((t = {a: 1}).a);\n  var t;\n};')).toEqual([3]);
      expect(early('function f() {\n  x = 2;\n  var x;\n}')).toEqual([2]);
      expect(early('function f() { var x = 1; return x; }')).toEqual([]);
      expect(early('function f(x) { x = 2; var x; }')).toEqual([]); // the parameter binds it
      expect(early('function f() { var g = () => x; var x = 1; return g; }')).toEqual([]); // runs later
      expect(early('function f() { return {x: 1}.x; var x; }')).toEqual([]); // a key, not the name
    });

    it('sees what esbuild emits: an IIFE bundle whose top level calls a later function', async () => {
      const emit = async (contents: string) =>
        (await build({ stdin: { contents, loader: 'ts' }, bundle: true, format: 'iife', target: 'es2015', minify: true, write: false })).outputFiles[0].text;
      const bad = await emit('const x = later();\nexport function early() { return later(); }\nfunction later() { return 1; }\nconsole.log(x, early());\n');
      expect(bad).toMatch(/^\(\(\)=>\{/); // one arrow invoked on the spot
      expect(hoisting(bad).length).toBe(1);
      expect(hoisting(await emit('function later() { return 1; }\nconst x = later();\nconsole.log(x);\n'))).toEqual([]);
    });
  });
});
