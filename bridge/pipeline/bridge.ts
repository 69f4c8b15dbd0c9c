// The running bridge as one rxjs stream: scan → per-device sync jobs (device-jobs.ts) → the
// store (each profile commits) → "outbox changed" → the delivery loop. Unsubscribing stops
// scanning, syncing and delivery.

import { EMPTY, Observable, defer, filter, map, merge, share, type SchedulerLike } from 'rxjs';
import type { Central } from '../ble/central.ts';
import type { BushuConfig } from '../config.ts';
import { deliveryLoop, type DeliveryEvent } from '../delivery/loop.ts';
import type { Store } from '../store/store.ts';
import { SCAN_SERVICES, isCandidate, syncDevice } from '../sync/profiles.ts';
import { ClockCheck, offsetChanges } from '../sync/time-sync.ts';
import type { SyncContext, SyncResult } from '../sync/types.ts';
import type { Backoff } from '../backoff.ts';
import { RECONNECT_BACKOFF, deviceJobs, type JobEvent } from './device-jobs.ts';

export type BridgeEvent = ({ kind: 'job' } & JobEvent<SyncResult>) | ({ kind: 'delivery' } & DeliveryEvent);

export interface BridgeOptions {
  central: Central;
  store: Store;
  config: Pick<BushuConfig, 'services' | 'delivery' | 'ble'>;
  ctx: SyncContext;
  /** Simultaneous device syncs (BLE adapters handle a few connections at once). */
  concurrency?: number;
  /** Rest between syncs of one device; the config's syncIntervalSeconds by default. */
  restMs?: number;
  backoff?: Backoff;
  only?: (deviceId: string) => boolean;
  /** false: sync only (bushu sync); true: deliver too (bushu run). */
  deliver?: boolean;
  scheduler?: SchedulerLike;
  /** How often the host's UTC offset is checked for a zone or DST change. */
  offsetCheckMs?: number;
}

export function runBridge(o: BridgeOptions): Observable<BridgeEvent> {
  return defer(() => {
    // A bridge that delivers sets watch clocks only from its clock as the services confirm it.
    const clockCheck = o.deliver && o.config.services.some((s) => s.enabled) ? new ClockCheck() : undefined;
    const ctx: SyncContext = clockCheck ? { ...o.ctx, clockCheck } : o.ctx;
    const jobs$ = deviceJobs<SyncResult>({
      ads$: o.central.scan(SCAN_SERVICES),
      sync: (ad) => syncDevice(o.central, ad, ctx),
      concurrency: o.concurrency ?? 3,
      restMs: o.restMs ?? o.config.ble.syncIntervalSeconds * 1000,
      backoff: o.backoff ?? RECONNECT_BACKOFF,
      only: o.only ? (ad) => o.only!(ad.deviceId) : undefined,
      candidate: isCandidate,
      due$: offsetChanges(o.ctx.clock, o.offsetCheckMs ?? 60_000, o.scheduler),
      scheduler: o.scheduler,
    }).pipe(share());
    const changes$ = jobs$.pipe(filter((e) => e.type === 'ok' && e.result.queued > 0));
    const delivery$ = o.deliver
      ? // The host clock the syncs stamp outbox rows with (in simulation, the world's): due times
        // compared across two clocks would never come due.
        deliveryLoop({ store: o.store, config: o.config, changes: changes$, clock: o.ctx.clock.now, scheduler: o.scheduler, log: o.ctx.log, clockCheck })
      : EMPTY;
    return merge(jobs$.pipe(map((e): BridgeEvent => ({ kind: 'job', ...e }))), delivery$.pipe(map((e): BridgeEvent => ({ kind: 'delivery', ...e }))));
  });
}
