// The simulator's virtual-time task queue: time order, first-in first-out at one time, timers
// cleared one by one or all at once, intervals, and a day's worth of samples in linear time.
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../sim/espruino/scheduler.ts';

describe('Scheduler', () => {
  it('runs tasks in time order, same-time tasks in the order queued', () => {
    const s = new Scheduler(0);
    const ran: string[] = [];
    s.at(30, () => ran.push('c'));
    s.at(10, () => ran.push('a1'));
    s.at(10, () => ran.push('a2'));
    s.timer(() => ran.push('b'), 20, false);
    s.at(10, () => ran.push('a3'));
    s.advance(25);
    expect(ran).toEqual(['a1', 'a2', 'a3', 'b']);
    expect(s.mono).toBe(25);
    s.advance(5);
    expect(ran.at(-1)).toBe('c');
  });

  it('clears one timer, or every timer (not queued events), and counts the pending ones', () => {
    const s = new Scheduler(0);
    const ran: string[] = [];
    const a = s.timer(() => ran.push('a'), 10, false);
    s.timer(() => ran.push('b'), 10, false);
    s.at(10, () => ran.push('event'));
    expect(s.timerCount()).toBe(2);
    s.clear(a);
    expect(s.timerCount()).toBe(1);
    s.advance(10);
    expect(ran).toEqual(['b', 'event']);
    expect(s.timerCount()).toBe(0);
    s.timer(() => ran.push('c'), 5, false);
    s.timer(() => ran.push('d'), 5, true);
    s.at(5, () => ran.push('event2'));
    s.clear(undefined);
    s.advance(20);
    expect(ran).toEqual(['b', 'event', 'event2']);
  });

  it('repeats an interval until cleared, from inside its own run too', () => {
    const s = new Scheduler(0);
    let n = 0;
    const id = s.timer(() => {
      if (++n === 3) s.clear(id);
    }, 10, true);
    s.advance(100);
    expect(n).toBe(3);
    expect(s.timerCount()).toBe(0);
  });

  it('takes a day of 12.5 Hz samples queued up front', () => {
    const s = new Scheduler(0);
    let n = 0;
    const samples = 86_400 * 12.5;
    for (let i = samples - 1; i >= 0; i--) s.at(i * 80, () => n++); // worst order for a sorted array
    s.advance(86_400_000);
    expect(n).toBe(samples);
  });
});
