// bench:device without the real interpreter: what it says and does when the tools are missing,
// its argument errors, and the sample file and script it would run. With ESPRUINO_BIN (and
// valgrind) the last suite runs them: the marker counts, and each script through to its end on
// both builds (the measurement itself runs as `npm run bench:device`).
import { describe, expect, it } from 'vitest';
import { DEFAULT_OUT } from '../scripts/build-firmware.ts';
import { deviceCli, prepare } from '../scripts/device/bench.ts';
import { callgrind, findTools, plain, type Tools } from '../scripts/device/callgrind.ts';
import { encodeSamples, SAMPLES_FILE, script, type Plan } from '../scripts/device/program.ts';
import { Pedometer } from '../shared/pedometer/pedometer.ts';
import { plainLoops } from '../shared/pedometer/periodicity.ts';
import type { Recording } from '../shared/recording/recording.ts';
import { asBuilt, builtNames } from './kits/firmware/names.ts';

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

const tools = findTools(process.env);
const why = typeof tools === 'string' ? tools : undefined;
const suite = why === undefined ? 'bench:device on the real interpreter' : `bench:device on the real interpreter (skipped: ${why})`;

describe.skipIf(why !== undefined)(suite, () => {
  const real = tools as Tools;
  const end = "print('done');\nsetTimeout(function () { quit(); }, 1);\n";

  it('counts the instructions between marker calls, in proportion to the work between them', async () => {
    const js = 'function f(a) { return a + 1; }\nE.getErrorFlags(); for (var i = 0; i < 100; i++) f(i);\nE.getErrorFlags(); for (var j = 0; j < 300; j++) f(j);\nE.getErrorFlags();\n';
    const r = await callgrind(real, js + end);
    expect(r.intervals).toHaveLength(2);
    expect(r.intervals[1] / r.intervals[0]).toBeGreaterThan(2.8);
    expect(r.intervals[1] / r.intervals[0]).toBeLessThan(3.2);
  });

  it('says when a script fails or never reaches its end', async () => {
    await expect(plain(real, "throw new Error('boom');\n" + end)).rejects.toThrow(/the script failed on Espruino/);
    await expect(plain(real, 'setTimeout(function () { quit(); }, 1);\n')).rejects.toThrow(/did not reach its end/);
  });

  // The watch runs the pedometer on E.convolve and E.sum over views of the window; Node and Lua on plain loops.
  // Every sum is over integers, so the counts must agree to the step (issue 12: same counts everywhere).
  it("counts a walk on the firmware's own pedometer exactly as Node does", async () => {
    const plan: Plan = { settle: 64, walked: 900, traced: 4, stilled: 128 };
    const p = prepare(DEFAULT_OUT, plan);
    const names = builtNames(DEFAULT_OUT);
    const js = script(p.puck, p.targets.pedometer, plan, p.walkCount, p.stillCount).replace("print('done');", asBuilt(names.puck, "print('steps ' + P.steps);\n") + "print('done');");
    const counted = Number(/^steps (\d+)$/m.exec(await plain(real, js, p.files))?.[1]);
    // The same samples in Node: the walk, then the still part replayed as the script loops over it.
    const q = new Int16Array(p.files[SAMPLES_FILE].buffer.slice(0));
    const node = new Pedometer(plainLoops);
    const total = p.walkCount + plan.settle + plan.stilled;
    for (let i = 0; i < total; i++) {
      const k = (i < p.walkCount ? i : p.walkCount + ((i - p.walkCount) % p.stillCount)) * 4;
      node.push(q[k], q[k + 1], q[k + 2], q[k + 3]);
    }
    expect(node.steps).toBeGreaterThan(50);
    expect(counted).toBe(node.steps);
  });

  // The build is the tests' global setup's (dist/firmware), as in puck-emulator.test.ts.
  it('runs every target through to its end, the boards counting the walk', async () => {
    const plan: Plan = { settle: 64, walked: 256, traced: 4, stilled: 64 };
    const p = prepare(DEFAULT_OUT, plan);
    const names = builtNames(DEFAULT_OUT);
    const steps = (group: string): string => asBuilt(names[group], "print('steps ' + bushu.counter.steps);\n");
    // As the bench runs them: every target on the Puck build, the Bangle's own handler on its build.
    const runs = [...Object.values(p.targets).map((t) => ['puck', p.puck, t] as const), ['bangle', p.bangle, p.targets.board] as const];
    for (const [group, firmware, target] of runs) {
      const js = script(firmware, target, plan, p.walkCount, p.stillCount).replace("print('done');", steps(group) + "print('done');");
      const out = await plain(real, js, p.files);
      const counted = Number(/^steps (\d+)$/m.exec(out)?.[1]);
      // Only a board's own handler feeds the core's counter; 320 samples at 1.8 steps/s are 46 steps.
      if (target.kind === 'board') expect(counted, `${group} board`).toBeGreaterThan(20);
      else expect(counted, `${group} ${target.kind}`).toBe(0);
    }
  });
});
