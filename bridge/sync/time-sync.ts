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
 */
export class ClockCheck {
  private offsetMs: number | null = null;

  /** A service said it was `referenceMs` when the host clock read `hostMs`. */
  observe(referenceMs: number, hostMs: number): void {
    this.offsetMs = referenceMs - hostMs;
  }

  /**
   * The host's time corrected by the services', or null before any answer. Offsets within 2 s
   * (a Date header counts whole seconds, and the answer takes a while) are taken as none.
   */
  checkedNow(clock: HostClock): number | null {
    if (this.offsetMs === null) return null;
    return clock.now() + (Math.abs(this.offsetMs) <= 2000 ? 0 : this.offsetMs);
  }
}

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
