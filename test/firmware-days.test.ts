// Days on the watch: local midnight (also asleep), clock jumps both ways, zone changes, and the
// count surviving load(), reboots and a battery pulled out.
import { describe, expect, it } from 'vitest';
import { EspruinoSim } from '../sim/espruino/index.ts';
import { walk } from '../sim/signals.ts';
import { dayNumber } from '../shared/days.ts';
import { decodeToday, encodeLocalTimeInfo, UUID } from '../shared/protocol/index.ts';
import { ADDRESS, bangle, play, steps } from './kits/firmware/harness.ts';
import { Link } from './kits/firmware/link.ts';
import { evalCore } from './kits/firmware/names.ts';

const H = 3600000;
const D21 = dayNumber('2026-11-21');

function today(sim: EspruinoSim) {
  const t = decodeToday(new Uint8Array(evalCore(sim, '[].slice.call(bushu.todayFrame())') as number[]));
  if (!t.ok) throw new Error(t.error);
  return t.value;
}

function walkSteps(sim: EspruinoSim, seed: number, n = 150): number {
  const before = steps(sim);
  play(sim, walk({ seed, steps: n, cadence: 1.8 }).rec, sim.now() + 500);
  const got = steps(sim) - before;
  expect(got).toBeGreaterThan(n * 0.8);
  return got;
}

describe('firmware: local days', () => {
  it('closes the day at local midnight while asleep (no samples at all)', async () => {
    // 23:00 in UTC+8
    const sim = await bangle({ startTime: Date.UTC(2026, 10, 21, 15, 0), timezoneHours: 8 });
    const n = walkSteps(sim, 1);
    sim.advance(2 * H);
    expect(today(sim)).toMatchObject({ day: D21 + 1, steps: 0, offsetMin: 480 });
    const link = new Link(sim);
    expect(link.days()).toEqual([[D21, n, 1]]);
    const day = link.sync(0).frames[0];
    expect(day.kind === 'day' && day.record.offsetMin).toBe(480);
    expect(day.kind === 'day' && day.record.hours[23]).toBe(n);
    expect(sim.errors).toEqual([]);
  });

  it('a clock set forwards closes the open day once; set backwards, nothing is credited twice', async () => {
    const sim = await bangle({ startTime: Date.UTC(2026, 10, 21, 12, 0) });
    const n1 = walkSteps(sim, 2);
    sim.setClock(Date.UTC(2026, 10, 22, 12, 0));
    sim.advance(61000);
    expect(today(sim)).toMatchObject({ day: D21 + 1, steps: 0 });
    const n2 = walkSteps(sim, 3);
    // back to the day already closed: the open day stays the newest one
    sim.setClock(Date.UTC(2026, 10, 21, 13, 0));
    sim.advance(61000);
    const n3 = walkSteps(sim, 4);
    expect(today(sim)).toMatchObject({ day: D21 + 1, steps: n2 + n3 });
    // three days on at once: one record for the open day, none for the skipped days
    sim.setClock(Date.UTC(2026, 10, 25, 0, 30));
    sim.advance(61000);
    expect(new Link(sim).days()).toEqual([
      [D21, n1, 1],
      [D21 + 1, n2 + n3, 2],
    ]);
    expect(today(sim)).toMatchObject({ day: D21 + 4, steps: 0 });
  });

  it('a zone moved east over midnight closes the day; moved back, the day does not reopen', async () => {
    const sim = await bangle({ startTime: Date.UTC(2026, 10, 21, 23, 30) });
    const n = walkSteps(sim, 5);
    const link = new Link(sim);
    expect(link.write(UUID.SERVICE, UUID.LOCAL_TIME_INFO, encodeLocalTimeInfo({ zone: 4, dst: 0 }))).toEqual({ target: 3, opcode: 0, status: 0 });
    expect(sim.eval('new Date().getTimezoneOffset()')).toBe(-60);
    expect(today(sim)).toMatchObject({ day: D21 + 1, steps: 0, offsetMin: 60 });
    expect(link.write(UUID.SERVICE, UUID.LOCAL_TIME_INFO, encodeLocalTimeInfo({ zone: 0, dst: 0 }))?.status).toBe(0);
    const m = walkSteps(sim, 6);
    expect(today(sim)).toMatchObject({ day: D21 + 1, steps: m, offsetMin: 0 });
    const d = link.sync(0).frames[0];
    expect(d.kind === 'day' && [d.record.day, d.record.steps, d.record.offsetMin]).toEqual([D21, n, 60]);
    // a zone set outside bushu (the Settings app) is noticed within a minute
    sim.setTimezone(10);
    sim.advance(61000);
    expect(today(sim)).toMatchObject({ day: D21 + 1, steps: m, offsetMin: 600 });
  });
});

describe('firmware: the count survives', () => {
  it('app switches (load) and reboots, exactly, through the kill checkpoint', async () => {
    const sim = await bangle({ startTime: Date.UTC(2026, 10, 21, 10, 0) });
    const n = walkSteps(sim, 7);
    sim.load('bushu.app.js');
    expect(steps(sim)).toBe(n);
    sim.eval('E.reboot()');
    expect(steps(sim)).toBe(n);
    const m = walkSteps(sim, 8);
    sim.load();
    expect(steps(sim)).toBe(n + m);
    expect(sim.errors).toEqual([]);
  });

  it('a reboot after midnight, before the first step, does not carry the closed day\'s hours into the next day', async () => {
    const sim = await bangle({ startTime: Date.UTC(2026, 10, 21, 15, 0), timezoneHours: 8 }); // 23:00 local
    const n = walkSteps(sim, 11);
    sim.advance(H + 5 * 60000); // 00:05 the next day: the day closed
    sim.load(); // an app switch: the boot code restores from flash
    expect(today(sim)).toMatchObject({ day: D21 + 1, steps: 0 });
    const m = walkSteps(sim, 12);
    sim.advance(24 * H); // close the second day too
    const link = new Link(sim);
    const days = link.sync(0).frames.filter((f) => f.kind === 'day');
    const second = days.find((f) => f.kind === 'day' && f.record.day === D21 + 1);
    expect(second?.kind === 'day' && second.record.steps).toBe(m);
    const hoursSum = second?.kind === 'day' ? second.record.hours.reduce((a: number, b: number) => a + b, 0) : -1;
    expect(hoursSum).toBe(m); // not m + n
    expect(n).toBeGreaterThan(0);
    expect(sim.errors).toEqual([]);
  });

  it('a pulled battery loses at most the steps since the last 5-minute checkpoint', async () => {
    const t0 = Date.UTC(2026, 10, 21, 10, 0);
    const sim = await bangle({ startTime: t0 });
    const n1 = walkSteps(sim, 9, 300);
    sim.advance(6 * 60000); // a checkpoint has run since
    const n2 = walkSteps(sim, 10, 100); // about a minute: not yet checkpointed
    sim.powerLoss();
    const again = new EspruinoSim({ board: 'BANGLEJS2', startTime: sim.now() + 1000, address: ADDRESS, storage: sim.storage });
    again.boot();
    const kept = steps(again);
    expect(kept).toBeGreaterThanOrEqual(n1);
    expect(kept).toBeLessThanOrEqual(n1 + n2);
    expect(again.errors).toEqual([]);
  });

  it('a battery-out that also resets the clock to 1970 keeps crediting the newest day', async () => {
    const sim = await bangle({ startTime: Date.UTC(2026, 10, 21, 10, 0) });
    const n = walkSteps(sim, 11);
    sim.advance(6 * 60000);
    sim.powerLoss();
    const again = new EspruinoSim({ board: 'BANGLEJS2', startTime: 5000, address: ADDRESS, storage: sim.storage });
    again.boot();
    expect(today(again)).toMatchObject({ day: D21, steps: n });
    const m = walkSteps(again, 12);
    expect(today(again)).toMatchObject({ day: D21, steps: n + m });
  });
});
