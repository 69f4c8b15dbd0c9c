// The failure modes of issue 14, each on a synthetic recording modelled from its physics
// (sim/failure-modes.ts). Each test states what a demanding user would accept; those the detector
// does not meet yet are marked `it.fails`, with today's count noted beside them.

import { describe, expect, it } from 'vitest';
import {
  LOSSY_LOGGER,
  carTrip,
  handHeldWalk,
  pocketWalk,
  pouchWalk,
  typingDrift,
  walkThenFidget,
  walkWithGentleStretch,
  walkWithIrregularStart,
} from '../sim/failure-modes.ts';
import { BANGLE_SAMPLING, concat, still, walk, type Generated } from '../sim/signals.ts';
import { countSteps } from '../shared/pedometer/count.ts';

/** Relative error of the count against the known truth. */
function error(g: Generated): number {
  return Math.abs(countSteps(g.rec) - g.steps) / g.steps;
}

describe('issue 14: brisk walking with the device held in the hand', () => {
  // The hand repeats every step, so below 1.04 s a "stride" of two alike steps is taken for one
  // step and the search went on to a longer lag: many windows got only about 2/3 of their steps
  // (241 and 259 of 300 before the heel strikes were trusted over the axes).
  it('counts 300 steps at 120 steps/min within 5%', () => {
    expect(error(handHeldWalk({ seed: 1, steps: 300, cadence: 2.0 }))).toBeLessThanOrEqual(0.05);
  });

  it('counts 300 steps at 129 steps/min within 5%', () => {
    expect(error(handHeldWalk({ seed: 2, steps: 300, cadence: 2.15 }))).toBeLessThanOrEqual(0.05);
  });

  // At 135 steps/min and above a step is 5.5 samples or less, so the hand's twin steps (11) fall
  // below the stride lags' ambiguity (13) and the search went further, to the next repeat: three
  // steps (16.5), read as a stride of two (252 and 237 of 300). A repeat at one and a half times
  // the lag, like one at twice it, shows that the lag's halves are steps when the heel strikes
  // repeat at half the lag.
  it('counts 300 steps at 135 steps/min within 5%', () => {
    expect(error(handHeldWalk({ seed: 4, steps: 300, cadence: 2.25 }))).toBeLessThanOrEqual(0.05);
  });

  it('counts 300 steps at 138 steps/min within 5%', () => {
    expect(error(handHeldWalk({ seed: 5, steps: 300, cadence: 2.3 }))).toBeLessThanOrEqual(0.05);
  });

  it('counts the same hold at 100 steps/min within 1%', () => {
    expect(error(handHeldWalk({ seed: 3, steps: 300, cadence: 1.67 }))).toBeLessThanOrEqual(0.01);
  });
});

describe('issue 14: typing logged with dropped polls', () => {
  // Gaps of up to 0.4 s are bridged by straight lines, which turn the key taps (white noise when
  // sampled steadily) into a smoother, slower wave that now and then looks periodic for 10 s.
  // Two such windows seldom agree on a cadence, which a walk's start now needs (25 -> 11).
  // open failure mode (issue 14): remove .fails when the detector handles it
  it.fails('counts at most a handful of steps in an hour of typing (today 7)', () => {
    expect(countSteps(typingDrift({ seed: 3, seconds: 3600 }).rec)).toBeLessThanOrEqual(5);
  });

  it('logs with gaps of 80 to 400 ms, as the logger the failure was seen with', () => {
    // Runs of one to four lost polls, and the poll after a run kept: runs that followed each
    // other made gaps of over a second, which restart the detector, something that logger never did.
    const t = typingDrift({ seed: 3, seconds: 600 }).rec.t;
    const gaps = t.slice(1).map((v, i) => v - t[i]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(5 * 80 + 2 * LOSSY_LOGGER.jitterMs);
    expect(gaps.filter((g) => g > 320 - 2 * LOSSY_LOGGER.jitterMs).length).toBeGreaterThan(10);
  });

  // What a remedy must keep: a walk logged by the same logger counts as a steadily sampled one.
  // (Session 23 tried a rule that let no window more bridge than samples start a walk: typing went
  // to 0, and these walks, logged while runs of lost polls could follow each other, to 0-70 of 300.)
  it('counts walks logged by the same logger within 3%', () => {
    for (const [seed, cadence] of [[1, 1.6], [6, 1.8], [7, 2.0]]) {
      expect(error(walk({ seed, steps: 300, cadence, sampling: LOSSY_LOGGER }))).toBeLessThanOrEqual(0.03);
    }
  });

  it('counts none for the same typing sampled steadily (the gaps are the cause)', () => {
    expect(countSteps(typingDrift({ seed: 3, seconds: 3600, sampling: BANGLE_SAMPLING }).rec)).toBe(0);
  });
});

describe('issue 14: irregular wrist motion after a walk', () => {
  // Once walking, a correlation of 1/5 carries the walk on, and a minute of random motion of
  // walking strength reaches that in most windows.
  // open failure mode (issue 14): remove .fails when the detector handles it
  it.fails('counts a 500-step walk followed by a minute of fidgeting within 3% (today 578: +16%)', () => {
    expect(error(walkThenFidget(2))).toBeLessThanOrEqual(0.03);
  });
});

describe('issue 14: into a car, steering, out again', () => {
  // Steering back and forth at about 1 s per turn is a 1 s "stride" of 0.1 to 0.4 g: two windows
  // of it started a walk (61). A walk now starts only when the magnitude too is above the motion
  // floor; one bout whose hand motion lifted the magnitude just over it was left (16), until the
  // window kept the filtered channels truncated rather than rounded (0): that bout's magnitude sat
  // at the floor itself (0.06 g rms), so this one passes by a hair.
  it('counts at most a handful more than the 6 steps of a 3-minute trip (seed 1)', () => {
    const g = carTrip({ seed: 1 });
    expect(countSteps(g.rec)).toBeLessThanOrEqual(g.steps + 5);
  });

  // open failure mode (issue 14): remove .fails when the detector handles it
  it.fails('counts at most a handful more than the 6 steps of other trips (seeds 2 and 6, today 17 and 26)', () => {
    for (const seed of [2, 6]) {
      const g = carTrip({ seed });
      expect(countSteps(g.rec)).toBeLessThanOrEqual(g.steps + 5);
    }
  });
});

describe('issue 14: gentle stretches and an irregular start', () => {
  // 0.048 g rms is below the 0.06 g floor, so the walk ended and two windows restarted it (117 of
  // 150) until a walk gone quiet on every channel was judged down to 0.035 g.
  it('counts a 150-step walk with 40 gentle steps in the middle within 5%', () => {
    expect(error(walkWithGentleStretch(1))).toBeLessThanOrEqual(0.05);
  });

  // A minute of it: half the walk was lost (100 of 200 for both seeds) while only a rhythm at 1/2
  // could start a walk; a steady cadence at 1/3 for four windows is a walk too (188 and 172).
  it('counts most of a 200-step walk whose first minute has an irregular arm (seed 5)', () => {
    expect(countSteps(walkWithIrregularStart(5, 200, 60).rec)).toBeGreaterThanOrEqual(170);
  });

  // Seed 2 lost it again (188 -> 156) to the rule that a walk whose heel strikes stop goes on with
  // the arm alone only at its cadence: here the random arm drowns the strikes every other window,
  // and each such window starts afresh. That rule halved the main set's mixed error over 8 starts.
  // open failure mode (issue 14): remove .fails when the detector handles it
  it.fails('counts most of a 200-step walk whose first minute has an irregular arm (seed 2, today 156)', () => {
    expect(countSteps(walkWithIrregularStart(2, 200, 60).rec)).toBeGreaterThanOrEqual(170);
  });

  // The heel strikes go on under 0.3 g of random arm motion, which drowns their rhythm below the
  // 1/2 a walk's start needs (118 of 150). A weaker rhythm (1/3) that keeps one cadence for four
  // windows now starts a walk too (141), and a walk that loses its strikes starts afresh (144).
  it('counts a 150-step walk whose first 20 s have an irregular arm within 5%', () => {
    expect(error(walkWithIrregularStart(2))).toBeLessThanOrEqual(0.05);
  });
});

describe('issue 14: carried in a pocket or a neck pouch', () => {
  // The stronger heel strike on the device's side made some windows read two strides as one:
  // half their steps (262 of 300 before a lag whose half also repeats was read as two periods).
  it('counts 300 steps with the device in a trouser pocket within 5%', () => {
    expect(error(pocketWalk({ seed: 2, steps: 300, cadence: 1.6 }))).toBeLessThanOrEqual(0.05);
  });

  // Brisk (126 steps/min) with the heel strikes a trouser pocket feels at that pace (1.5 g on the
  // device's side, 0.6 g on the other): the stride, 0.95 s, is under STRIDE_LAG_AMBIGUOUS, and the
  // per-step jolts correlate the axes at half of it, so the stride was taken for one slow step and
  // the search went on to two strides: half the steps (155 of 300 before the short lag was kept
  // when the further one is its double and the heel strikes repeat at its half).
  it('counts 300 brisk steps with the device in a back pocket within 5%', () => {
    expect(error(pocketWalk({ seed: 1, steps: 300, cadence: 2.1, nearG: 1.5, farG: 0.6 }))).toBeLessThanOrEqual(0.05);
  });

  // The pouch swings at its own rhythm (its tension at 2 x 0.9 Hz) beside the 1.9 Hz steps; the
  // two beat, and where they cancel the motion falls below the 0.06 g floor. Within a walk that is
  // a quiet walk (233 of 300 before, when every null dropped the walk), and so is the window that
  // is to confirm a walk's first one (281 before: a null there dropped the start).
  it('counts 300 steps with the device hanging in a neck pouch within 5%', () => {
    expect(error(pouchWalk({ seed: 1, steps: 300, cadence: 1.9 }))).toBeLessThanOrEqual(0.05);
  });
});

describe('issue 14: a walk that stops', () => {
  // A window that straddles the stop still repeats (its older half walks) and was credited its
  // whole newer half, still or not: 2 to 8 steps too many at every stop, wherever the device is
  // carried (the body set counted 2% high). The half's steps now end with its last block that
  // the heel strikes jolt (BLOCK, shared/pedometer/tuning.ts).
  const carried = {
    wrist: (seed: number, steps: number) => walk({ seed, steps, cadence: 1.8 }),
    pocket: (seed: number, steps: number) => pocketWalk({ seed, steps, cadence: 1.8 }),
    pouch: (seed: number, steps: number) => pouchWalk({ seed, steps, cadence: 1.8 }),
  };
  for (const [where, make] of Object.entries(carried)) {
    it(`counts walks that end in 20 s of stillness within a step, carried ${where === 'pouch' ? 'in a neck pouch' : where === 'pocket' ? 'in a pocket' : 'on the wrist'} (8 walks)`, () => {
      const errors: number[] = [];
      for (let seed = 1; seed <= 8; seed++) {
        const g = concat([make(seed, 100 + seed * 7), still(seed, 20)]);
        errors.push(countSteps(g.rec) - g.steps);
      }
      for (const e of errors) expect(Math.abs(e)).toBeLessThanOrEqual(1);
    });
  }
});
