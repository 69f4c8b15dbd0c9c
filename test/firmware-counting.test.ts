// The built firmware counting steps in EspruinoSim: the same count as the pedometer on the same
// samples, the widget and the app on screen, the Puck's LED, and memory within budget.
import { describe, expect, it } from 'vitest';
import { concat, still, walk } from '../sim/signals.ts';
import { Pedometer } from '../shared/pedometer/pedometer.ts';
import { plainLoops } from '../shared/pedometer/periodicity.ts';
import { GOAL_STEPS } from '../shared/rewards.ts';
import { encodeWeChatTarget, UUID } from '../shared/protocol/index.ts';
import type { Recording } from '../shared/recording/recording.ts';
import { bangle, play, puck, steps } from './kits/firmware/harness.ts';
import { Link } from './kits/firmware/link.ts';

const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);

/**
 * What the pedometer counts on these samples, fed as the watch feeds it: awake, gaps over 400 ms
 * restart; at rest the look (the sample that finds idle at 1) gets its interval as it is. In raw
 * counts for both boards: the Bangle passes g to a pedometer in that unit, which counts the same
 * to the bit (test/pedometer.test.ts), so this also checks it on the built firmware.
 */
function reference(rec: Recording, scale: boolean): number {
  const p = new Pedometer(plainLoops);
  let n = 0;
  let last = rec.t[0];
  for (let i = 0; i < rec.t.length; i++) {
    const dt = rec.t[i] - last;
    last = rec.t[i];
    const f = scale ? 8192 : 1;
    n += p.push(dt > 400 && p.idle !== 1 ? 2000 : dt, (rec.x[i] / f) * f, (rec.y[i] / f) * f, (rec.z[i] / f) * f);
  }
  return n;
}

describe('firmware: counting on the watch', () => {
  const session = concat([still(1, 20), walk({ seed: 2, steps: 400, cadence: 1.9 }), still(3, 30), walk({ seed: 4, steps: 250, cadence: 1.6, swingRad: 0.15 })]);

  it('Bangle.js 2 counts what the pedometer counts on the same samples', async () => {
    const sim = await bangle({ startTime: T0 });
    play(sim, session.rec, sim.now() + 1000);
    const expected = reference(session.rec, true);
    expect(expected).toBeGreaterThan(600);
    expect(steps(sim)).toBe(expected);
    expect(sim.bangleState.options.stepCounterDisabled).toBe(true);
    expect(sim.errors).toEqual([]);
  });

  it('Puck.js v2 counts the same from raw e.acc', async () => {
    const sim = await puck({ startTime: T0 });
    expect(sim.puckState.accelHz).toBe(12.5);
    play(sim, session.rec, sim.now() + 1000);
    expect(steps(sim)).toBe(reference(session.rec, false));
    expect(sim.errors).toEqual([]);
  });

  it('does not count a still wrist', async () => {
    const sim = await bangle({ startTime: T0 });
    play(sim, still(9, 600).rec, sim.now() + 1000);
    expect(steps(sim)).toBe(0);
  });

  it('the widget shows today and the app shows today, past days and the last sync', async () => {
    const sim = await bangle({ startTime: T0 });
    play(sim, walk({ seed: 5, steps: 120, cadence: 1.8 }).rec, sim.now() + 1000);
    const n = steps(sim);
    expect(n).toBeGreaterThan(100);
    sim.eval('Bangle.loadWidgets(); Bangle.drawWidgets();');
    expect(sim.screen.strings).toContain(String(n));
    sim.load('bushu.app.js');
    sim.advance(100);
    const shown = sim.screen.lastFrame.concat(sim.screen.strings);
    expect(shown).toContain(`Today ${n}`);
    expect(shown).toContain(`goal ${GOAL_STEPS}`);
    expect(shown).toContain('sync never');
    expect(sim.errors).toEqual([]);
  });

  it('Puck blinks its green LED once when the goal is reached', async () => {
    const sim = await puck({ startTime: T0 });
    sim.eval('var pulses = []; var realPulse = digitalPulse; digitalPulse = function (p, v, t) { pulses.push(String(p)); realPulse(p, v, t); };');
    const link = new Link(sim);
    expect(link.write(UUID.WECHAT_SERVICE, UUID.WECHAT_TARGET, encodeWeChatTarget(150))?.status).toBe(0);
    play(sim, walk({ seed: 6, steps: 200, cadence: 1.8 }).rec, sim.now() + 1000);
    expect(steps(sim)).toBeGreaterThanOrEqual(150);
    expect(sim.eval('pulses.join()')).toBe('LED2');
    play(sim, walk({ seed: 7, steps: 100, cadence: 1.8 }).rec, sim.now() + 1000);
    expect(sim.eval('pulses.join()')).toBe('LED2');
  });

  it('Puck memory stays well under its 2630 JsVars, and an hour of walking allocates nothing lasting', async () => {
    const sim = await puck({ startTime: T0 });
    sim.advance(1000);
    const boot = sim.memory().usage;
    new Link(sim).sync(0); // the on-demand half loaded
    sim.advance(61000);
    const idle = sim.memory().usage;
    for (let i = 0; i < 6; i++) play(sim, walk({ seed: 10 + i, steps: 1000, cadence: 1.8 }).rec, sim.now() + 100);
    sim.advance(61000);
    const busy = sim.memory().usage;
    expect(steps(sim)).toBeGreaterThan(5500);
    expect(boot).toBeLessThan(2630 * 0.6);
    expect(busy).toBeLessThan(2630 * 0.6);
    expect(Math.abs(busy - idle)).toBeLessThan(20);
  });
});
