// bench:device without the real interpreter: what it says and does when the tools are missing,
// its argument errors, and the sample file and script it would run (the measurement itself needs
// ESPRUINO_BIN and valgrind, and runs as `npm run bench:device`).
import { describe, expect, it } from 'vitest';
import { deviceCli } from '../scripts/device/bench.ts';
import { findTools } from '../scripts/device/callgrind.ts';
import { encodeSamples, script, type Plan } from '../scripts/device/program.ts';
import type { Recording } from '../shared/recording/recording.ts';

function sink(): { write(text: string): boolean; text: string } {
  return {
    text: '',
    write(text: string) {
      this.text += text;
      return true;
    },
  };
}

const rec = (n: number, base: number): Recording => ({
  t: Array.from({ length: n }, (_, i) => i * 80 + (i % 3)),
  x: Array.from({ length: n }, (_, i) => base + i),
  y: Array.from({ length: n }, () => -base),
  z: Array.from({ length: n }, () => 8192),
});

describe('bench:device', () => {
  it('says why it skips, and exits 0, without ESPRUINO_BIN or with one that does not run', async () => {
    const out = sink();
    const err = sink();
    expect(await deviceCli([], {}, out as never, err as never)).toBe(0);
    expect(out.text).toMatch(/^bench-device: skipped: ESPRUINO_BIN is not set/);
    expect(findTools({ ESPRUINO_BIN: '/nonexistent/espruino' })).toBe('ESPRUINO_BIN=/nonexistent/espruino does not run');
  });

  it('refuses unknown arguments and a sample count out of range with one line and exit 2', async () => {
    for (const args of [['--fast'], ['--samples', '10'], ['--samples', 'many']]) {
      const err = sink();
      expect(await deviceCli(args, {}, sink() as never, err as never)).toBe(2);
      expect(err.text.split('\n')[0]).toMatch(/^bench-device: /);
    }
  });

  it('writes each sample as four 16-bit words: the time since the previous one, then x, y, z', () => {
    const plan: Plan = { settle: 2, walked: 3, traced: 1, stilled: 4 };
    const { data, walkCount, stillCount } = encodeSamples(rec(10, 100), rec(4, 7), plan);
    expect(walkCount).toBe(5);
    expect(stillCount).toBe(4);
    const words = new Int16Array(data.buffer, data.byteOffset, data.byteLength / 2);
    expect(words.length).toBe((5 + 4) * 4);
    expect([...words.subarray(0, 8)]).toEqual([80, 101, -100, 8192, 81, 102, -100, 8192]);
    expect([...words.subarray(20, 24)]).toEqual([80, 8, -7, 8192]); // the still part starts over
    expect(() => encodeSamples(rec(5, 0), rec(4, 0), plan)).toThrow('the walk has 5 samples, 6 needed');
  });

  it('marks the traced samples one by one and the stretches around them', () => {
    const plan: Plan = { settle: 4, walked: 10, traced: 3, stilled: 6 };
    const js = script('/* firmware */', { kind: 'empty' }, plan, 14, 5);
    const marks = [...js.matchAll(/M\[(\d+)\] = 1;/g)].map((m) => Number(m[1]));
    // Traced 4, 5, 6 (and the end of the last at 7), the walk's end, the still settled, the end.
    expect(marks).toEqual([4, 5, 6, 7, 14, 18, 24]);
    expect(js).toContain('E.getErrorFlags()');
    expect(js).toContain('/* firmware */');
  });
});
