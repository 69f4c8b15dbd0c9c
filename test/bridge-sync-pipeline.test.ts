// The pipeline's scheduling in rxjs virtual time: backoff, concurrency, one job per device.
import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { Observable, interval, map, merge, take, throwError, timer, mergeMap } from 'rxjs';
import { deviceJobs, type JobEvent } from '../bridge/pipeline/device-jobs.ts';
import type { Advertisement } from '../bridge/ble/central.ts';

const ad = (deviceId: string): Advertisement => ({ id: deviceId, deviceId, name: deviceId, serviceUuids: ['b57500017e4e4b8a9c2f5a1d3e6f0b01'], rssi: -50 });

function runJobs(setup: (ts: TestScheduler) => { ads$: Observable<Advertisement>; sync: (a: Advertisement) => Observable<string>; concurrency?: number; restMs?: number; due$?: Observable<unknown> }, until: number) {
  const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
  const events: JobEvent<string>[] = [];
  ts.run(() => {
    const s = setup(ts);
    deviceJobs({ ads$: s.ads$, sync: s.sync, concurrency: s.concurrency ?? 4, restMs: s.restMs ?? 60_000, backoff: { baseMs: 2000, maxMs: 5000 }, due$: s.due$, scheduler: ts })
      .pipe(takeUntilTime(until))
      .subscribe((e) => events.push(e));
  });
  return events;
}

function takeUntilTime<T>(ms: number) {
  return (src: Observable<T>) => new Observable<T>((sub) => {
    const s = src.subscribe(sub);
    const t = timer(ms).subscribe(() => {
      s.unsubscribe();
      sub.complete();
    });
    return () => (s.unsubscribe(), t.unsubscribe());
  });
}

const starts = (events: JobEvent<string>[], device?: string) => events.filter((e) => e.type === 'start' && (!device || e.device === device)).map((e) => e.at);

describe('deviceJobs', () => {
  it('reconnects a failing device with capped exponential backoff', () => {
    const events = runJobs(() => ({
      ads$: interval(1000).pipe(map(() => ad('a'))),
      sync: () => timer(10).pipe(mergeMap(() => throwError(() => new Error('link dropped')))),
    }), 30_000);
    // ads at 1000, 2000, …; fails at start+10; waits 2000, 4000, then 5000 (cap), 5000
    expect(starts(events)).toEqual([1000, 4000, 9000, 15000, 21000, 27000]);
    const fails = events.filter((e) => e.type === 'fail');
    expect(fails.map((e) => (e.type === 'fail' ? e.retryAt - e.at : 0))).toEqual([2000, 4000, 5000, 5000, 5000, 5000]);
  });

  it('never runs two jobs of one device at once, then rests after a success', () => {
    const events = runJobs(() => ({
      ads$: interval(10).pipe(map(() => ad('a'))),
      sync: () => timer(100).pipe(map(() => 'ok')),
      restMs: 1000,
    }), 2500);
    expect(starts(events)).toEqual([10, 1110, 2210]); // ads every 10 ms are ignored while busy and resting
  });

  it('limits concurrency over devices', () => {
    const events = runJobs(() => ({
      ads$: merge(...['a', 'b', 'c', 'd', 'e'].map((d) => timer(0).pipe(map(() => ad(d))))),
      sync: () => timer(100).pipe(map(() => 'ok')),
      concurrency: 2,
    }), 1000);
    expect(starts(events)).toEqual([0, 0, 100, 100, 200]);
    expect(events.filter((e) => e.type === 'ok').length).toBe(5);
  });

  it('a host time zone change makes resting devices due again', () => {
    const events = runJobs(() => ({
      ads$: interval(100).pipe(map(() => ad('a'))),
      sync: () => timer(10).pipe(map(() => 'ok')),
      restMs: 60_000,
      due$: timer(450).pipe(take(1)),
    }), 1000);
    expect(starts(events)).toEqual([100, 500]);
  });
});
