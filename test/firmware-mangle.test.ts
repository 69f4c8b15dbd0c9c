// Property renaming in the firmware build (scripts/espruino/mangle.ts): the rules on a fixture,
// the names the outside world uses, and the built files of each device group agreeing.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseProperties, namesUsedFromOutside } from '../scripts/espruino/mangle.ts';
import { asBuilt } from './kits/firmware/names.ts';
import { bundleAll, propertyNames, REPO_ROOT } from '../scripts/build-firmware.ts';

const ENTRIES = ['firmware/bangle/boot.ts', 'firmware/bangle/ext.ts', 'firmware/bangle/widget.ts', 'firmware/bangle/app.ts', 'firmware/puck/main.ts'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (f === 'node_modules' || f === 'fixtures' || f.startsWith('.')) return [];
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js|md)$/.test(f) ? [p] : [];
  });
}

describe('property renaming', () => {
  it('applies each rule: only names used solely by our own typed code are renamed', () => {
    const a = analyseProperties(join(REPO_ROOT, 'test/fixtures/mangle'), ['firmware/main.ts']);
    expect(a.mangle).toEqual(['renamedField', 'renamedMethod', 'renamedOption']);
    for (const kept of ['keptLiteralKey', 'keptSerialised', 'keptCast', 'keptUntyped', 'keptQuoted', 'keptApiMember', 'keptIndexed', 'keptIndexedToo'])
      expect(a.reserved.has(kept), kept).toBe(true);
  });

  it('never renames a name that tests, the simulator, scripts or the docs reach through global.bushu', () => {
    const mangled = new Set(analyseProperties(REPO_ROOT, ENTRIES).mangle);
    // Found here independently of the build's own extraction: every `bushu.a.b().c` chain in
    // the text of test/, bridge/, sim/, demo/, cli/, scripts/, bin/ and the Markdown docs.
    const used = new Set<string>();
    for (const dir of ['test', 'bridge', 'scripts', 'firmware', 'docs', '.']) {
      const paths = dir === '.' ? readdirSync(REPO_ROOT).filter((f) => f.endsWith('.md')).map((f) => join(REPO_ROOT, f)) : files(join(REPO_ROOT, dir));
      for (const p of paths) {
        if (dir === 'firmware' && !p.includes('testing') && !p.endsWith('.md')) continue;
        // A line that hands its code to evalCore or asBuilt spells source names, translated before it runs.
        const text = readFileSync(p, 'utf8').split('\n').filter((line) => !/\b(evalCore|asBuilt)\(/.test(line)).join('\n');
        for (const chain of text.matchAll(/\bbushu(?:\.[A-Za-z_$][\w$]*|\([^()]*\))+/g))
          for (const m of chain[0].matchAll(/\.([A-Za-z_$][\w$]*)/g)) used.add(m[1]);
      }
    }
    expect(used.has('draw')).toBe(true); // emulator.test.ts's WIDGETS.bushu.draw(WIDGETS.bushu): the scan works
    expect([...used].filter((n) => mangled.has(n))).toEqual([]);
  });

  it('translates the source names a test hands to evalCore or asBuilt, and reserves none of them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bushu-mangle-'));
    mkdirSync(join(root, 'test'));
    writeFileSync(
      join(root, 'test/t.ts'),
      "evalCore(sim, 'bushu.alpha.beta(1)'); emu.eval(asBuilt(names, `bushu.gamma.${x}.delta`)); sim.eval('bushu.kept');\n",
    );
    const spelled = namesUsedFromOutside(root);
    expect(['alpha', 'beta', 'gamma', 'delta'].filter((n) => spelled.has(n))).toEqual([]);
    expect(spelled.has('kept')).toBe(true);
    rmSync(root, { recursive: true, force: true });

    const names = await propertyNames();
    const built = asBuilt(names.bangle, 'var o = bushu.counter.steps + bushu.historyFile.seq; o.push(1)');
    expect(built).toBe(`var o = bushu.${names.bangle.counter}.steps + bushu.${names.bangle.historyFile}.seq; o.push(1)`);
    expect(names.bangle.counter.length).toBeLessThan('counter'.length);
    expect(names.bangle.steps).toBeUndefined(); // spelled by the bridge's own tests: kept
  });

  it('never renames what Espruino, the BLE stack or JavaScript itself reads by name', () => {
    const a = analyseProperties(REPO_ROOT, ENTRIES);
    const outside = [
      // GATT table and updateServices keys, write events
      'value', 'maxLen', 'readable', 'writable', 'notify', 'indicate', 'onWrite', 'data',
      // accelerometer events, setWatch events and options, NRF/Bangle options
      'x', 'y', 'z', 'acc', 'state', 'time', 'repeat', 'edge', 'debounce', 'uart', 'advertise', 'stepCounterDisabled',
      // widgets
      'area', 'width', 'draw',
      // Storage, E, NRF, Graphics
      'read', 'write', 'erase', 'readArrayBuffer', 'CRC32', 'convolve', 'setServices', 'updateServices', 'getAddress', 'drawString',
      // built-ins
      'length', 'push', 'subarray', 'set', 'fill', 'slice', 'buffer', 'now', 'floor', 'toString', 'valueOf', 'constructor', 'prototype',
    ];
    expect(outside.filter((n) => a.mangle.includes(n))).toEqual([]);
  });

  it('renames consistently within a device group: no file keeps a name that the group renamed', async () => {
    const names = await propertyNames();
    expect(Object.keys(names.bangle).length).toBeGreaterThan(15);
    // Short names first: the most used names get one character.
    expect(Object.values(names.bangle).filter((v) => v.length === 1).length).toBeGreaterThan(10);
    const built = await bundleAll();
    for (const [path, code] of built) {
      const group = path.split('/')[0];
      const left = Object.keys(names[group]).filter((n) => new RegExp(`\\.${n.replace(/\$/g, '\\$')}\\b`).test(code));
      expect(left, path).toEqual([]);
    }
  });
});
