// The host clock checked against a service's Date header (bridge/sync/time-sync.ts): one answer
// bounds the host's offset between the request leaving and the answer being read.
import { describe, expect, it } from 'vitest';
import { ClockCheck } from '../bridge/sync/time-sync.ts';

const T = Date.UTC(2026, 10, 20, 12, 0, 0);
const at = (ms: number) => ({ now: () => ms, offsetMin: () => 480 });

describe('ClockCheck', () => {
  it('has no time before an answer', () => {
    expect(new ClockCheck().checkedNow(at(T))).toBeNull();
  });

  it('leaves a host clock alone when the answer fits it, however late in its second the Date was stamped', () => {
    const c = new ClockCheck();
    c.observe(T, T + 950, T + 980); // Date rounds down to the second
    expect(c.checkedNow(at(T + 5000))).toBe(T + 5000);
  });

  it('corrects a host clock a day ahead to within the round trip', () => {
    const c = new ClockCheck();
    const ahead = 24 * 3_600_000;
    c.observe(T, T + ahead + 100, T + ahead + 400);
    expect(Math.abs(c.checkedNow(at(T + ahead + 10_000))! - (T + 10_000))).toBeLessThan(1000);
  });

  it('is not fooled by an answer read late (a loaded host): the host clock still fits', () => {
    const c = new ClockCheck();
    // Stamped at T, read 20 s later by the host's right clock.
    c.observe(T, T, T + 20_000);
    expect(c.checkedNow(at(T + 20_000))).toBe(T + 20_000);
  });

  it('ignores an answer too slow to tell the time by, and keeps the reading it had', () => {
    const c = new ClockCheck();
    c.observe(T, T + 10 * 60_000, T + 10 * 60_000 + 200); // host 10 min ahead
    c.observe(T + 3_600_000, T + 3_600_000, T + 3_600_000 + 45 * 60_000); // an hour-long round trip
    expect(Math.abs(c.checkedNow(at(T + 10 * 60_000))! - T)).toBeLessThan(1000);
  });
});
