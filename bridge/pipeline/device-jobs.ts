// Advertisements → sync jobs. At most one job per device at a time (a device whose job is
// running or queued is skipped), at most `concurrency` jobs at once over all devices, a device
// synced successfully rests `restMs`, and one that failed waits a capped exponential backoff
// before the next advertisement may start it again. `due$` (e.g. the host's time zone changed)
// makes every device due at once, so each watch gets its clock re-written on its next
// advertisement. All timing reads the injected scheduler, so tests run in virtual time.

import { Observable, asyncScheduler, catchError, defer, map, mergeMap, of, type ObservableInput, type SchedulerLike } from 'rxjs';
import type { Advertisement } from '../ble/central.ts';
import { backoffDelay, type Backoff } from '../backoff.ts';

export type JobEvent<R> =
  | { type: 'start'; device: string; at: number }
  | { type: 'ok'; device: string; at: number; result: R }
  | { type: 'fail'; device: string; at: number; error: unknown; failures: number; retryAt: number };

export interface DeviceJobsOptions<R> {
  ads$: Observable<Advertisement>;
  sync: (ad: Advertisement) => ObservableInput<R>;
  concurrency: number;
  restMs: number;
  backoff: Backoff;
  /** Only these device ids (bushu sync --device); all when absent. */
  only?: (ad: Advertisement) => boolean;
  /** Advertisements worth a connection (profiles.ts isCandidate). */
  candidate?: (ad: Advertisement) => boolean;
  due$?: Observable<unknown>;
  scheduler?: SchedulerLike;
}

/**
 * No jitter by default, so TestScheduler tests can pin the exact times; the daemon may pass a
 * random source to spread several bridges apart.
 */
export const RECONNECT_BACKOFF: Backoff = { baseMs: 2000, maxMs: 5 * 60_000 };

interface DeviceState {
  busy: boolean;
  nextAt: number;
  failures: number;
}

export function deviceJobs<R>(o: DeviceJobsOptions<R>): Observable<JobEvent<R>> {
  const scheduler = o.scheduler ?? asyncScheduler;
  return new Observable<JobEvent<R>>((sub) => {
    const devices = new Map<string, DeviceState>();
    const dueSub = o.due$?.subscribe(() => devices.forEach((d) => (d.nextAt = 0)));

    const accepted$ = new Observable<Advertisement>((inner) =>
      o.ads$.subscribe({
        next: (ad) => {
          if (o.only && !o.only(ad)) return;
          if (o.candidate && !o.candidate(ad)) return;
          const d = devices.get(ad.deviceId) ?? { busy: false, nextAt: 0, failures: 0 };
          devices.set(ad.deviceId, d);
          if (d.busy || scheduler.now() < d.nextAt) return;
          d.busy = true; // from here until its job ends, further advertisements are ignored
          inner.next(ad);
        },
        error: (e) => inner.error(e),
        complete: () => inner.complete(),
      }),
    );

    const run = (ad: Advertisement): Observable<JobEvent<R>> => {
      const d = devices.get(ad.deviceId)!;
      const start: JobEvent<R> = { type: 'start', device: ad.deviceId, at: scheduler.now() };
      return new Observable<JobEvent<R>>((s) => {
        s.next(start);
        return defer(() => o.sync(ad))
          .pipe(
            map((result): JobEvent<R> => {
              d.failures = 0;
              d.nextAt = scheduler.now() + o.restMs;
              return { type: 'ok', device: ad.deviceId, at: scheduler.now(), result };
            }),
            catchError((error: unknown) => {
              d.failures++;
              d.nextAt = scheduler.now() + backoffDelay(d.failures, o.backoff);
              return of<JobEvent<R>>({ type: 'fail', device: ad.deviceId, at: scheduler.now(), error, failures: d.failures, retryAt: d.nextAt });
            }),
          )
          .subscribe({
            next: (e) => {
              d.busy = false;
              s.next(e);
            },
            complete: () => {
              d.busy = false; // also when sync completed without a result
              s.complete();
            },
          });
      });
    };

    const jobs = accepted$.pipe(mergeMap(run, o.concurrency)).subscribe(sub);
    return () => {
      jobs.unsubscribe();
      dueSub?.unsubscribe();
    };
  });
}
