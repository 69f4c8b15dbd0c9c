// Setting the watch's clock and zone from the host, on every connect and whenever the host's
// offset changes (a zone change or DST): the watch decides what "today" is, so a wrong offset
// would file steps under the wrong date.

import { Observable, asyncScheduler, defer, distinctUntilChanged, interval, map, skip, startWith, type SchedulerLike } from 'rxjs';
import { NOBLE_UUID as N, encodeCurrentTime, encodeLocalTimeInfo, utcMsToCurrentTime } from '../../shared/protocol/index.ts';
import type { Link } from '../ble/central.ts';
import type { HostClock } from './types.ts';

/** Bluetooth's adjust-reason bit "external reference time update". */
const EXTERNAL_REFERENCE = 2;

/**
 * The two writes, Local Time Information first (Current Time is local time, read with the
 * offset in force). The whole host offset goes in the zone field with DST 0: the watch only uses
 * their sum, and the host clock gives the sum directly.
 */
export function timePayloads(clock: HostClock): { localTimeInfo: Uint8Array; currentTime: Uint8Array } {
  const offset = clock.offsetMin();
  const zone = Math.max(-48, Math.min(56, Math.round(offset / 15)));
  const ct = utcMsToCurrentTime(clock.now(), zone * 15);
  ct.adjustReason = EXTERNAL_REFERENCE;
  return { localTimeInfo: encodeLocalTimeInfo({ zone, dst: 0 }), currentTime: encodeCurrentTime(ct) };
}

/**
 * The host clock checked against the services' (each delivery answer's Date header). A host
 * clock a day off would set every watch a day off, and the watches would file steps under the
 * wrong dates; so a bridge that delivers sets watch clocks only from a checked time. Until the
 * first answer of this run there is none (checkedNow is null) and the watches keep their time.
 *
 * The service stamped its Date (whole seconds) at some moment between our request leaving and
 * its answer being read, so one answer bounds the offset to an interval: the slower the round
 * trip (a loaded host reads answers late), the wider. A host clock that fits the interval is
 * taken as right; otherwise the correction is the interval's middle, and an answer too slow to
 * tell the time by is not used.
 */
export class ClockCheck {
  private offsetMs: number | null = null;

  /**
   * A service said it was `referenceMs` (a Date header, rounded down to the second) in answer to
   * a request sent when the host clock read `sentAtMs` and read when it read `receivedAtMs`.
   */
  observe(referenceMs: number, sentAtMs: number, receivedAtMs = sentAtMs): void {
    if (receivedAtMs - sentAtMs > MAX_ROUND_TRIP_MS || receivedAtMs < sentAtMs) return;
    const lowest = referenceMs - receivedAtMs;
    const highest = referenceMs + 1000 - sentAtMs;
    this.offsetMs = lowest - SLACK_MS <= 0 && highest + SLACK_MS >= 0 ? 0 : Math.round((lowest + highest) / 2);
  }

  /** The host's time corrected by the services', or null before any usable answer. */
  checkedNow(clock: HostClock): number | null {
    return this.offsetMs === null ? null : clock.now() + this.offsetMs;
  }
}

/** An answer slower than this bounds the host's offset too loosely to set watches by (they are checked to 5 min). */
const MAX_ROUND_TRIP_MS = 30_000;
/** Clock drift and timer granularity on both sides: a host clock this close is not corrected. */
const SLACK_MS = 1000;

/** Writes the watch's zone and time; with a ClockCheck, only a checked time (false: none yet, nothing written). */
export async function writeTime(link: Link, clock: HostClock, check?: ClockCheck): Promise<boolean> {
  let from = clock;
  if (check !== undefined) {
    const now = check.checkedNow(clock);
    if (now === null) return false;
    from = { now: () => now, offsetMin: () => clock.offsetMin() };
  }
  const p = timePayloads(from);
  await link.write(N.SERVICE, N.LOCAL_TIME_INFO, p.localTimeInfo);
  await link.write(N.SERVICE, N.CURRENT_TIME, p.currentTime);
  return true;
}

/** Emits the host's new offset each time it changes (checked every `everyMs`). */
export function offsetChanges(clock: HostClock, everyMs = 60_000, scheduler: SchedulerLike = asyncScheduler): Observable<number> {
  // defer: the starting offset is the one at subscription, so only later changes pass.
  return defer(() => interval(everyMs, scheduler).pipe(map(() => clock.offsetMin()), startWith(clock.offsetMin()), distinctUntilChanged(), skip(1)));
}
