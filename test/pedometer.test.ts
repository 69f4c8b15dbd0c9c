import { describe, expect, it } from 'vitest';
import { armWave, car, concat, still, typing, walk, type Generated, type Sampling } from '../sim/signals.ts';
import { countSteps } from '../shared/pedometer/count.ts';
import { Pedometer } from '../shared/pedometer/pedometer.ts';
import { plainLoops } from '../shared/pedometer/periodicity.ts';
import { BLOCK, HOP, HP_DEN, HP_FOLLOW, HP_NUM, RAW_PER_UNIT, STRIDE_LAG_MAX, UNIT_PER_RAW, WINDOW } from '../shared/pedometer/tuning.ts';
import { convolve, sum } from '../sim/espruino/natives.ts';
import { nativeLoops } from '../firmware/core/loops.ts';

/** Relative error of the count against the known truth. */
function error(g: Generated): number {
  return Math.abs(countSteps(g.rec) - g.steps) / g.steps;
}

describe('pedometer on synthetic walking', () => {
  // Effort grows with cadence: a slow walker swings the arm and bounces less than a brisk one.
  for (const cadence of [1.4, 1.8, 2.2]) {
    for (const swingRad of [0.15, 0.45]) {
      for (const wrist of ['left', 'right'] as const) {
        it(`counts 200 steps at ${cadence} steps/s, swing ${swingRad} rad, ${wrist} wrist within 3%`, () => {
          const seed = Math.round(cadence * 1000 + swingRad * 100) + (wrist === 'left' ? 0 : 1);
          const g = walk({ seed, steps: 200, cadence, swingRad, bounceG: 0.05 + cadence * 0.05, wrist });
          expect(error(g)).toBeLessThanOrEqual(0.03);
        });
      }
    }
  }

  it('counts a walk sampled at 25 Hz', () => {
    const sampling: Sampling = { rateHz: 25, jitterMs: 3, dropRate: 0.02, noiseCounts: 20 };
    expect(error(walk({ seed: 25, steps: 300, cadence: 1.7, sampling }))).toBeLessThanOrEqual(0.03);
  });

  it('tolerates jitter, noise and dropped polls (gaps of several hundred ms)', () => {
    const sampling: Sampling = { rateHz: 12.5, jitterMs: 15, dropRate: 0.25, noiseCounts: 40 };
    expect(error(walk({ seed: 7, steps: 300, cadence: 1.9, sampling }))).toBeLessThanOrEqual(0.03);
  });

  it('follows a long walk whose pace and arm swing change', () => {
    const g = concat([
      walk({ seed: 1, steps: 400, cadence: 1.6, swingRad: 0.2 }),
      walk({ seed: 2, steps: 600, cadence: 2.0, swingRad: 0.4 }),
      walk({ seed: 3, steps: 400, cadence: 1.5, swingRad: 0.1, bounceG: 0.12 }),
    ]);
    expect(error(g)).toBeLessThanOrEqual(0.02);
  });

  // A walk is judged in 5 s windows, so its edges are uncertain by about one window (a few steps).
  it('counts a short walk between rests to within a window of steps', () => {
    const g = concat([still(1, 60), walk({ seed: 9, steps: 40, cadence: 1.8 }), still(2, 60)]);
    expect(Math.abs(countSteps(g.rec) - 40)).toBeLessThanOrEqual(12);
  });
});

describe('pedometer on motion that is not walking', () => {
  const cases: [string, Generated][] = [
    ['a still wrist with sensor noise (10 min)', still(11, 600)],
    ['car vibration and sway (10 min)', car(12, 600)],
    ['typing at a desk (10 min)', typing(13, 600)],
    ['a single arm wave', armWave(14, 20)],
  ];
  for (const [name, g] of cases) {
    it(`counts no steps for ${name}`, () => {
      expect(countSteps(g.rec)).toBe(0);
    });
  }
});

describe('pedometer live counting', () => {
  it('reports steps as they happen, adding up to the total', () => {
    const g = concat([still(3, 20), walk({ seed: 4, steps: 120, cadence: 1.8 })]);
    const p = new Pedometer(plainLoops);
    let reported = 0;
    let firstStepAt = -1;
    for (let i = 0; i < g.rec.t.length; i++) {
      const dt = i === 0 ? 0 : g.rec.t[i] - g.rec.t[i - 1];
      const n = p.push(dt, g.rec.x[i], g.rec.y[i], g.rec.z[i]);
      expect(n).toBeGreaterThanOrEqual(0);
      if (n > 0 && firstStepAt < 0) firstStepAt = g.rec.t[i];
      reported += n;
    }
    expect(reported).toBe(p.steps);
    // The walk starts at about 20 s; two analysis windows (under 8 s) confirm it.
    expect(firstStepAt).toBeGreaterThan(20_000);
    expect(firstStepAt).toBeLessThan(30_000);
  });

  it('reports the steps a window credits at a duplicate or backward sample (a clock set back)', () => {
    // The analysis advances one stage at every sample, a duplicate one too, so its decision can
    // fall on a sample that is then dropped: the steps it credits must still be returned, since
    // the boards count what push returns.
    const g = walk({ seed: 5, steps: 300, cadence: 1.8 });
    const p = new Pedometer(plainLoops);
    let reported = 0;
    let atDuplicates = 0;
    for (let i = 0; i < g.rec.t.length; i++) {
      reported += p.push(i === 0 ? 0 : g.rec.t[i] - g.rec.t[i - 1], g.rec.x[i], g.rec.y[i], g.rec.z[i]);
      for (let k = 0; k < i % 3; k++) {
        const n = p.push(k === 0 ? 0 : -500, g.rec.x[i], g.rec.y[i], g.rec.z[i]);
        atDuplicates += n;
        reported += n;
      }
    }
    expect(p.steps).toBeGreaterThan(250);
    expect(atDuplicates).toBeGreaterThan(0);
    expect(reported).toBe(p.steps);
  });

  it('gives the same count for the same samples (deterministic)', () => {
    const g = walk({ seed: 77, steps: 150, cadence: 1.6 });
    expect(countSteps(g.rec)).toBe(countSteps(g.rec));
  });

  it("counts the same on the watch's loops: views of the window and E.convolve's circular sum", () => {
    // The firmware passes E.convolve and E.sum themselves, a view of each channel's window as its
    // head, and TypedArray#set for copies and slides (firmware/core/loops.ts). E.convolve wraps
    // around its second array; the pedometer's buffers are zero past the window, so the wrapped
    // products are all zero, and every sum is of integers: the counts must be the same.
    const g = concat([still(8, 30), walk({ seed: 31, steps: 300, cadence: 1.9 }), car(9, 60)]);
    const native = new Pedometer(nativeLoops({ convolve, sum }));
    const plain = new Pedometer(plainLoops);
    const r = g.rec;
    for (let i = 0; i < r.t.length; i++) {
      const dt = i === 0 ? 0 : r.t[i] - r.t[i - 1];
      native.push(dt, r.x[i], r.y[i], r.z[i]);
      plain.push(dt, r.x[i], r.y[i], r.z[i]);
    }
    expect(plain.steps).toBeGreaterThan(250);
    expect(native.steps).toBe(plain.steps);
  });

  it('counts the same from samples in g (scale 1024, the Bangle.js 2) as from raw counts, sample by sample', () => {
    // Every quantity the detector keeps is then the raw one times a power of two, so the two
    // agree to the bit: through walks, rests, looks that wake it, gaps and restarts.
    const g = concat([still(40, 90), walk({ seed: 41, steps: 300, cadence: 1.9 }), still(42, 120), car(43, 60), walk({ seed: 44, steps: 120, cadence: 1.5, sampling: { rateHz: 12.5, jitterMs: 15, dropRate: 0.2, noiseCounts: 20 } })]);
    const raw = new Pedometer(plainLoops);
    const inG = new Pedometer(plainLoops, 1024);
    const r = g.rec;
    let rests = 0;
    for (let i = 0; i < r.t.length; i++) {
      const dt = i === 0 ? 0 : r.t[i] - r.t[i - 1];
      expect(inG.push(dt, r.x[i] / 8192, r.y[i] / 8192, r.z[i] / 8192)).toBe(raw.push(dt, r.x[i], r.y[i], r.z[i]));
      expect(inG.idle).toBe(raw.idle);
      if (raw.idle === 1) rests++;
    }
    expect(raw.steps).toBeGreaterThan(380);
    expect(inG.steps).toBe(raw.steps);
    expect(rests).toBeGreaterThan(100); // the rests' looks were compared too
  });

  /** Pushes a recording into p (the first sample as a start). */
  function feed(p: Pedometer, g: Generated): void {
    const r = g.rec;
    for (let i = 0; i < r.t.length; i++) p.push(i === 0 ? 0 : r.t[i] - r.t[i - 1], r.x[i], r.y[i], r.z[i]);
  }

  it("the watch's loops answer as the plain ones, member by member", () => {
    // Each on a channel buffer as the pedometer keeps it (the window, then zeros past it) and on
    // a correlation whose largest value sits inside the range, at its start and at its end.
    const native = nativeLoops({ convolve, sum });
    const channel = (seed: number): Int16Array => {
      const b = new Int16Array(WINDOW + STRIDE_LAG_MAX + 2);
      for (let i = 0; i < WINDOW; i++) b[i] = ((i * 7919 + seed * 104729) % 2001) - 1000;
      return b;
    };
    const a = channel(1);
    const b = channel(2);
    for (const lag of [0, 3, 17, STRIDE_LAG_MAX + 1]) {
      expect(native.lagSum(native.head(a), b, lag)).toBe(plainLoops.lagSum(plainLoops.head(a), b, lag));
    }
    expect(native.channelSum(native.head(a))).toBe(plainLoops.channelSum(plainLoops.head(a)));
    expect(native.head(a).length).toBe(WINDOW);
    for (const from of [0, BLOCK, WINDOW - BLOCK]) {
      let squares = 0;
      for (let i = from; i < from + BLOCK; i++) squares += a[i] * a[i];
      expect(native.blockSquares(a, from)).toBe(squares);
      expect(plainLoops.blockSquares(a, from)).toBe(squares);
    }
    for (const at of [3, 9, STRIDE_LAG_MAX]) {
      const acf = new Float64Array(STRIDE_LAG_MAX + 2);
      for (let lag = 0; lag < acf.length; lag++) acf[lag] = Math.sin(lag) * 100;
      acf[at] = 1000;
      acf[STRIDE_LAG_MAX + 1] = 5000; // past the range: a neighbour only, never the largest
      for (const from of [3, 5, 11]) expect(native.largest(acf, from)).toBe(plainLoops.largest(acf, from));
      expect(native.largest(acf, 3)).toBe(1000);
    }
    const slid = Int16Array.from(a);
    const plainSlid = Int16Array.from(a);
    native.slide(slid);
    plainLoops.slide(plainSlid);
    expect([...slid]).toEqual([...plainSlid]);
    expect([...slid.subarray(0, WINDOW - HOP)]).toEqual([...a.subarray(HOP, WINDOW)]);
    const copied = new Int16Array(a.length);
    native.copy(copied, native.head(a));
    expect([...copied.subarray(0, WINDOW)]).toEqual([...a.subarray(0, WINDOW)]);
  });

  it('rests on a still wrist, with a push that counts down to the next look, and wakes for a walk', () => {
    const p = new Pedometer(plainLoops);
    const awake = p.push;
    feed(p, still(21, 60));
    // A minute on a desk: the cheap push is in place, and it counts nothing.
    expect(p.push).not.toBe(awake);
    expect(p.push(80, 0, 0, 8192)).toBe(0);
    // A walk after an hour of rest: woken within a look, it loses at most the steps of one hop
    // (2.56 s, under 5 steps at this cadence) against the same walk counted from a fresh start.
    feed(p, still(22, 3600));
    const resting = p.steps;
    const w = walk({ seed: 23, steps: 200, cadence: 1.8 });
    feed(p, concat([still(22, 1), w]));
    expect(p.push).toBe(awake);
    expect(Math.abs(p.steps - resting - countSteps(w.rec))).toBeLessThanOrEqual(5);
    expect(Math.abs(p.steps - resting - 200)).toBeLessThanOrEqual(10);
  });

  it('counts the same when a caller skips push while idle is above 1, decrements idle instead and calls look at 1 (the boards)', () => {
    const g = concat([still(26, 120), walk({ seed: 27, steps: 150, cadence: 1.7 }), still(28, 200), walk({ seed: 29, steps: 80, cadence: 2 })]);
    const always = new Pedometer(plainLoops);
    const board = new Pedometer(plainLoops);
    const r = g.rec;
    let skipped = 0;
    let looks = 0;
    let woken = 0;
    for (let i = 0; i < r.t.length; i++) {
      const dt = i === 0 ? 0 : r.t[i] - r.t[i - 1];
      const a = always.push(dt, r.x[i], r.y[i], r.z[i]);
      let b = 0;
      if (board.idle > 1) {
        board.idle--;
        skipped++;
      } else if (board.idle === 1) {
        looks++;
        b = board.look(dt, r.x[i], r.y[i], r.z[i]);
        expect(b).toBe(0); // the boards' looks drop what look returns
        if ((board.idle as number) === 0) woken++; // (look changes idle: TypeScript narrowed it to 1)
      } else b = board.push(dt, r.x[i], r.y[i], r.z[i]);
      expect(b).toBe(a);
      expect(board.idle).toBe(always.idle);
    }
    expect(board.steps).toBe(always.steps);
    expect(always.steps).toBeGreaterThan(200);
    // Most of the still minutes were skipped without a call, the rest looked at; each walk woke a look.
    expect(skipped).toBeGreaterThan(((120 + 200) * 12.5 * 3) / 4 - 300);
    expect(looks).toBeGreaterThan((120 + 200) * 12.5 / 4 - 100);
    expect(woken).toBeGreaterThanOrEqual(2);
  });

  it('wakes from a rest on its grid whatever gaps the looks saw (infinite, not a number, negative)', () => {
    for (const gap of [Infinity, NaN, -5, 1e9]) {
      const p = new Pedometer(plainLoops);
      feed(p, still(30, 30));
      for (let i = 0; i < 8; i++) expect(p.push(gap, 0, 0, 8192)).toBe(0);
      feed(p, walk({ seed: 31, steps: 150, cadence: 1.8 }));
      expect(p.steps).toBeGreaterThanOrEqual(140);
      expect(p.steps).toBeLessThanOrEqual(160);
    }
  });

  it('does not rest while the arm moves, even with the body still (typing)', () => {
    const p = new Pedometer(plainLoops);
    const awake = p.push;
    feed(p, typing(24, 120));
    expect(p.push).toBe(awake);
    expect(p.steps).toBe(0);
  });

  it('ends the analysis still under way on finish, crediting what the watch credits a few samples later', () => {
    // The analysis of a full window runs in stages over the next samples; a recording that ends
    // inside them leaves steps pending until finish().
    const g = walk({ seed: 25, steps: 120, cadence: 1.8 });
    let pending = 0;
    for (let cut = g.rec.t.length - 40; cut < g.rec.t.length; cut++) {
      const p = new Pedometer(plainLoops);
      feed(p, { rec: { t: g.rec.t.slice(0, cut), x: g.rec.x.slice(0, cut), y: g.rec.y.slice(0, cut), z: g.rec.z.slice(0, cut) }, steps: 0 });
      const before = p.steps;
      const credited = p.finish();
      expect(p.steps).toBe(before + credited);
      expect(p.finish()).toBe(0);
      if (credited > 0) pending++;
    }
    // Some of the 40 cuts fall inside a window's stages, and finishing them credits steps.
    expect(pending).toBeGreaterThan(0);
  });

  it('ignores duplicate and out-of-order timestamps instead of counting them', () => {
    const p = new Pedometer(plainLoops);
    p.push(0, 0, 0, 8192);
    expect(p.push(0, 9000, 0, 0)).toBe(0);
    expect(p.push(-80, 9000, 0, 0)).toBe(0);
    expect(p.steps).toBe(0);
  });

  it('survives full-scale values and long gaps without NaN or overflow', () => {
    const p = new Pedometer(plainLoops);
    let t = 0;
    for (let i = 0; i < 2000; i++) {
      const s = i % 2 === 0 ? 65535 : -65536; // +-8 g on every axis: squares sum past 2^31
      p.push(i === 0 ? 0 : i % 97 === 0 ? 5000 : 80, s, s, -s);
      t++;
    }
    expect(Number.isFinite(p.steps)).toBe(true);
    expect(t).toBe(2000);
  });

  it('restarts after a long gap without inventing steps across it', () => {
    const a = walk({ seed: 5, steps: 100, cadence: 1.8 });
    const b = walk({ seed: 6, steps: 100, cadence: 1.8 });
    const joined = concat([a, still(1, 0.1), b]);
    // Shift the second walk by an hour: the pedometer must treat it as a fresh start.
    const cut = a.rec.t.length;
    for (let i = cut; i < joined.rec.t.length; i++) joined.rec.t[i] += 3_600_000;
    const n = countSteps(joined.rec);
    expect(Math.abs(n - 200) / 200).toBeLessThanOrEqual(0.05);
  });
});

describe('pedometer constants written out for the interpreter', () => {
  it('the scale and the high-pass pole equal the quotients they stand for, exactly', () => {
    expect(UNIT_PER_RAW).toBe(1 / RAW_PER_UNIT);
    expect(HP_FOLLOW).toBe((HP_DEN - HP_NUM) / HP_DEN);
  });
});
