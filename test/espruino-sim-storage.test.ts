import { describe, expect, it } from 'vitest';
import { SimStorage } from '../sim/espruino/storage.ts';

describe('SimStorage flash semantics', () => {
  it('pre-allocates 0xFF and programs erased bytes in place', () => {
    const s = new SimStorage({ bytes: 64 * 1024 });
    s.write('rec', 'Hello', 0, 14);
    expect(s.read('rec')).toBe('Hello' + '\xff'.repeat(9));
    s.write('rec', ' ', 5);
    s.write('rec', 'World!!!', 6);
    expect(s.read('rec')).toBe('Hello World!!!');
    expect(s.stats.filesDeleted).toBe(0); // no copy was made
  });

  it('refuses to program a byte that is not erased, and leaves the file alone', () => {
    const s = new SimStorage({ bytes: 64 * 1024 });
    s.write('rec', 'AB', 0, 4);
    expect(() => s.write('rec', 'C', 1)).toThrow(/already written/);
    expect(() => s.write('rec', 'xyz', 2)).toThrow(/Too much data/);
    expect(() => s.write('nope', 'x', 3)).toThrow(/Unable to find/);
    expect(s.read('rec')).toBe('AB\xff\xff');
  });

  it('rewrites a file at offset 0 as a new copy, reclaimed by compact()', () => {
    const s = new SimStorage({ bytes: 64 * 1024 });
    const free0 = s.getFree();
    s.write('a', 'x'.repeat(1000));
    s.write('a', 'y'.repeat(1000));
    expect(s.read('a')).toBe('y'.repeat(1000));
    const used = free0 - s.getFree();
    expect(used).toBeGreaterThan(2000); // both copies still take space
    s.compact();
    expect(free0 - s.getFree()).toBeLessThan(1100);
    expect(s.stats.pageErases).toBeGreaterThan(0);
    s.write('a', 'y'.repeat(1000)); // identical data: nothing written
    expect(s.stats.filesDeleted).toBe(1);
  });

  it('limits names to 28 characters', () => {
    const s = new SimStorage();
    s.write('a'.repeat(28), '1');
    expect(() => s.write('a'.repeat(29), '1')).toThrow(/max 28/);
    expect(() => s.open('b'.repeat(28), 'a')).toThrow(/max 27/);
  });

  it('reads and writes Espruino JSON, and reports corruption', () => {
    const s = new SimStorage();
    s.writeJSON('c.json', { steps: 107, 'a-b': [1, 'x'] });
    expect(s.read('c.json')).toBe('{steps:107,"a-b":[1,"x"]}');
    expect(s.readJSON('c.json', false)).toEqual({ steps: 107, 'a-b': [1, 'x'] });
    s.corrupt('c.json', 0, [0x00]);
    expect(s.readJSON('c.json', true)).toBeUndefined();
    expect(() => s.readJSON('c.json', false)).toThrow(/readJSON/);
  });

  it('appends lines through StorageFile across chunks, refusing 0xFF', () => {
    const s = new SimStorage({ bytes: 64 * 1024, storageFileChunk: 16 });
    const f = s.open('log', 'a');
    for (let i = 0; i < 5; i++) f.write(`line ${i}\n`);
    expect(() => f.write('bad\xff')).toThrow(/0xFF/);
    const again = s.open('log', 'a');
    again.write('tail\n');
    const r = s.open('log', 'r');
    const lines: string[] = [];
    for (let l = r.readLine(); l !== undefined; l = r.readLine()) lines.push(l);
    expect(lines).toEqual(['line 0\n', 'line 1\n', 'line 2\n', 'line 3\n', 'line 4\n', 'tail\n']);
    expect(s.list()).not.toContain('log\u0001');
    expect(s.list(undefined, { sf: true })).toEqual(['log']);
    s.open('log', 'r').erase();
    expect(s.open('log', 'r').readLine()).toBeUndefined();
  });

  it('runs out of space with a clear error', () => {
    const s = new SimStorage({ bytes: 4096 });
    expect(() => s.write('big', 'x'.repeat(5000))).toThrow(/not enough free space/);
  });
});
