// The delivery loop: wakes on "outbox changed" events and on a timer set to the next retry
// time, sends due rows with bounded concurrency per service and at most one request in flight
// per service/device/date (hence per key), and records each outcome in the store. All timing
// goes through the injected scheduler, so tests run it in rxjs virtual time.
import { asyncScheduler, defer, EMPTY, from, Observable, Subscription, take, timer, type ObservableInput, type SchedulerLike } from 'rxjs';
import type { BushuConfig, ServiceConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { OutboxRow } from '../store/types.ts';
import { postRecord, type AttemptResult } from './http.ts';
import { classify, type Outcome } from './outcome.ts';
import { parseHttpDate } from '../backoff.ts';
import type { ClockCheck } from '../sync/time-sync.ts';

export type DeliveryEvent =
  | { type: 'delivered'; id: number; key: string; at: number; status: number }
  | { type: 'retry'; id: number; key: string; at: number; nextAt: number; error: string }
  /** nextAt: when a dead letter that ran out of time is tried again; null when it was refused. */
  | { type: 'dead'; id: number; key: string; at: number; reason: string; nextAt: number | null };

/** Record one attempt's outcome in the store, as the loop does; returns the event to report. */
export function recordOutcome(store: Store, row: OutboxRow, outcome: Outcome, at: number): DeliveryEvent {
  const { id, key } = row;
  if (outcome.kind === 'delivered') {
    store.markDelivered(id, outcome.status, at);
    return { type: 'delivered', id, key, at, status: outcome.status };
  }
  if (outcome.kind === 'retry') {
    store.markRetry(id, at + outcome.delayMs, outcome.error, { at, status: outcome.status });
    return { type: 'retry', id, key, at, nextAt: at + outcome.delayMs, error: outcome.error };
  }
  const nextAt = outcome.retryInMs === null ? null : at + outcome.retryInMs;
  store.deadLetter(id, outcome.reason, { at, status: outcome.status, retryAt: nextAt });
  return { type: 'dead', id, key, at, reason: outcome.reason, nextAt };
}

export interface DeliveryLoopOptions {
  store: Store;
  config: Pick<BushuConfig, 'services' | 'delivery'>;
  scheduler?: SchedulerLike;
  /** ms since 1970; defaults to the scheduler's clock. */
  clock?: () => number;
  /** "Outbox changed": the sync engine emits after each commitSync. */
  changes?: Observable<unknown>;
  /**
   * One HTTP attempt, signed with timestamp `signAt` (our clock corrected by the service's, see
   * outcome.ts); defaults to postRecord. Tests pass cold observables on the scheduler.
   */
  send?: (row: OutboxRow, service: ServiceConfig, signAt: number) => ObservableInput<AttemptResult>;
  random?: () => number;
  log?: Logger;
  /** Told the services' time from each answer's Date header (the time watches are set by). */
  clockCheck?: ClockCheck;
}

/** Runs while subscribed; emits one event per finished attempt. Unsubscribing stops it. */
export function deliveryLoop(options: DeliveryLoopOptions): Observable<DeliveryEvent> {
  const { store, config } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  const clock = options.clock ?? (() => scheduler.now());
  const random = options.random ?? Math.random;
  const send = options.send ?? ((row, service, signAt) => defer(() => postRecord(row, service, { now: signAt })));
  const services = config.services.filter((s) => s.enabled);

  return new Observable<DeliveryEvent>((subscriber) => {
    const running = new Subscription();
    const busyDays = new Set<string>();
    const busyPerService = new Map<string, number>();
    let wake: Subscription | undefined;
    let wakeAt: number | undefined;
    // Per service: its clock minus ours, learnt from a refusal for clock skew. In memory only: after
    // a restart, one refused attempt teaches it again.
    const clockOffsets = new Map<string, number>();

    const finish = (row: OutboxRow, result: AttemptResult, sentAt: number) => {
      const at = clock();
      const serviceNow = result.kind === 'response' ? parseHttpDate(result.date) : undefined;
      if (serviceNow !== undefined) options.clockCheck?.observe(serviceNow, sentAt, at);
      const outcome = classify(result, row, config.delivery, at, random);
      if (outcome.kind === 'retry' && outcome.clockOffsetMs !== undefined) {
        clockOffsets.set(row.service, outcome.clockOffsetMs);
        options.log?.warn({ service: row.service, offsetMs: outcome.clockOffsetMs }, 'service refused our timestamp: signing by its clock');
      }
      subscriber.next(recordOutcome(store, row, outcome, at));
      options.log?.debug({ key: row.key, attempt: row.attempts, outcome }, 'delivery attempt');
    };

    const start = (row: OutboxRow, service: ServiceConfig) => {
      // Counted on disk before the request leaves: from now on this key's body is frozen.
      const fresh = store.beginAttempt(row.id, clock());
      if (fresh === undefined) return;
      const day = dayKey(fresh);
      busyDays.add(day);
      busyPerService.set(service.name, (busyPerService.get(service.name) ?? 0) + 1);
      let settled = false;
      const sentAt = clock();
      const done = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        busyDays.delete(day);
        busyPerService.set(service.name, (busyPerService.get(service.name) ?? 1) - 1);
        finish(fresh, result, sentAt);
        pump();
      };
      running.add(
        from(send(fresh, service, sentAt + (clockOffsets.get(service.name) ?? 0)))
          .pipe(take(1))
          .subscribe({
            next: done,
            error: (e: unknown) => done({ kind: 'network', error: (e as Error).message ?? String(e), timedOut: false }),
            complete: () => done({ kind: 'network', error: 'no answer', timedOut: false }),
          }),
      );
    };

    const pump = () => {
      if (subscriber.closed) return;
      const now = clock();
      for (const service of services) {
        const busy = busyPerService.get(service.name) ?? 0;
        const free = config.delivery.concurrency - busy;
        if (free <= 0) continue;
        // Rows in flight are still pending and due, so ask for enough to see past them.
        let started = 0;
        for (const row of store.dueDeliveries(now, free + busy, [service.name])) {
          if (started >= free || busyDays.has(dayKey(row))) continue;
          start(row, service);
          started++;
        }
      }
      const next = store.nextDueAfter(now);
      if (next !== undefined && next !== wakeAt) {
        wake?.unsubscribe();
        wakeAt = next;
        wake = timer(next - now, scheduler).subscribe(() => {
          wakeAt = undefined;
          pump();
        });
        running.add(wake);
      }
    };

    running.add((options.changes ?? EMPTY).subscribe(() => pump()));
    pump();
    return () => running.unsubscribe();
  });
}

function dayKey(row: OutboxRow): string {
  return `${row.service}\u0000${row.device}\u0000${row.date}`;
}
