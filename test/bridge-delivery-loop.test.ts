// The delivery loop in rxjs virtual time: no network, no sleeps. `send` answers after a
// simulated latency on the TestScheduler, so every time below is a virtual millisecond.
import { map, Subject, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { BushuConfig } from '../bridge/config.ts';
import type { AttemptResult } from '../bridge/delivery/http.ts';
import { deliveryLoop, type DeliveryEvent } from '../bridge/delivery/loop.ts';
import { Store } from '../bridge/store/store.ts';
import type { OutboxRow } from '../bridge/store/types.ts';
import { DEV_A, dayInput } from './kits/days.ts';

const ok: AttemptResult = { kind: 'response', status: 200, retryAfter: null, location: null, text: '' };
const status = (s: number, retryAfter: string | null = null): AttemptResult => ({ kind: 'response', status: s, retryAfter, location: null, text: '' });

interface Sent {
  at: number;
  key: string;
  steps: number;
}

/**
 * Runs the loop for `until` virtual ms. `answer` picks each attempt's result; `script` can
 * commit syncs at given times (and emits "outbox changed"). Returns requests and events.
 */
function run(opts: {
  answer: (row: OutboxRow, n: number) => AttemptResult;
  latency?: number;
  services?: string[];
  concurrency?: number;
  maxAttempts?: number;
  setup: (store: Store) => void;
  script?: (at: (t: number, fn: () => void) => void, store: Store, changed: () => void) => void;
  until?: number;
}) {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  const services = opts.services ?? ['walkcoin'];
  const store = Store.open(':memory:', { services });
  const config: Pick<BushuConfig, 'services' | 'delivery'> = {
    services: services.map((name) => ({ name, url: 'http://unused', secret: 'whsec_AA==', timeoutMs: 1000, enabled: true })),
    delivery: { maxAttempts: opts.maxAttempts ?? 10, baseDelayMs: 100, maxDelayMs: 10000, concurrency: opts.concurrency ?? 4 },
  };
  const sent: Sent[] = [];
  const events: DeliveryEvent[] = [];
  scheduler.run(() => {
    const changes = new Subject<void>();
    opts.setup(store);
    const send = (row: OutboxRow) => {
      const n = sent.push({ at: scheduler.now(), key: row.key, steps: JSON.parse(row.body).steps });
      return timer(opts.latency ?? 10, scheduler).pipe(map(() => opts.answer(row, n)));
    };
    const sub = deliveryLoop({ store, config, scheduler, send, random: () => 0.5, changes }).subscribe((e) => events.push(e));
    opts.script?.((t, fn) => scheduler.schedule(fn, t), store, () => changes.next());
    scheduler.schedule(() => sub.unsubscribe(), opts.until ?? 100_000);
  });
  return { sent, events, store };
}

describe('deliveryLoop', () => {
  it('backs off with full jitter from the base delay, then dead-letters and stops', () => {
    const { sent, events, store } = run({
      answer: () => status(503),
      maxAttempts: 4,
      setup: (s) => s.commitSync(DEV_A, [dayInput()], 1, 0),
    });
    // random 0.5: waits of 50, 100, 200 ms after each answer (10 ms latency).
    expect(sent.map((s) => s.at)).toEqual([0, 60, 170, 380]);
    expect(events.map((e) => `${e.type}@${e.at}`)).toEqual(['retry@10', 'retry@70', 'retry@180', 'dead@390']);
    expect(store.outbox()[0]).toMatchObject({ state: 'dead', deadReason: 'gave up after 4 attempts; last: HTTP 503', attempts: 4 });
  });

  it('honours Retry-After instead of the backoff', () => {
    const { sent } = run({
      answer: (_row, n) => (n === 1 ? status(429, '3') : ok),
      setup: (s) => s.commitSync(DEV_A, [dayInput()], 1, 0),
    });
    expect(sent.map((s) => s.at)).toEqual([0, 3010]);
  });

  it('does not retry a dead letter, even when the outbox changes', () => {
    const { sent, store } = run({
      answer: () => status(400),
      setup: (s) => s.commitSync(DEV_A, [dayInput()], 1, 0),
      script: (at, _s, changed) => [100, 5000, 50000].forEach((t) => at(t, changed)),
    });
    expect(sent).toHaveLength(1);
    expect(store.outbox({ state: 'dead' })[0].deadReason).toBe('HTTP 400');
  });

  it('sends a row queued later as soon as the outbox-changed event arrives', () => {
    const { sent } = run({
      answer: () => ok,
      setup: () => undefined,
      script: (at, s, changed) =>
        at(300, () => {
          s.commitSync(DEV_A, [dayInput()], 1, 300);
          changed();
        }),
    });
    expect(sent.map((r) => r.at)).toEqual([300]);
  });

  it('coalesces updates: a version replaced before sending is never sent; one in flight per day', () => {
    const { sent, store } = run({
      answer: () => ok,
      latency: 100,
      setup: (s) => s.commitSync(DEV_A, [dayInput({ steps: 10 })], 1, 0),
      script: (at, s, changed) => {
        // While v1 is in flight: v2 is queued, then rewritten twice before it can be sent.
        for (const [t, steps] of [[20, 20], [40, 30], [60, 40]]) {
          at(t, () => {
            s.commitSync(DEV_A, [dayInput({ steps })], t, t);
            changed();
          });
        }
      },
    });
    expect(sent).toEqual([
      { at: 0, key: `bushu:walkcoin:${DEV_A}:2026-11-20:1`, steps: 10 },
      { at: 100, key: `bushu:walkcoin:${DEV_A}:2026-11-20:2`, steps: 40 },
    ]);
    expect(store.outbox().map((r) => r.state)).toEqual(['delivered', 'delivered']);
  });

  it('bounds the requests in flight per service', () => {
    const dates = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'];
    const { sent } = run({
      answer: () => ok,
      concurrency: 2,
      services: ['a', 'b'],
      setup: (s) => s.commitSync(DEV_A, dates.map((date) => dayInput({ date })), 5, 0),
    });
    const times = (svc: string) => sent.filter((r) => r.key.startsWith(`bushu:${svc}:`)).map((r) => r.at);
    expect(times('a')).toEqual([0, 0, 10, 10, 20]);
    expect(times('b')).toEqual([0, 0, 10, 10, 20]);
  });

  it('keeps a network error retrying with the same key', () => {
    const { sent } = run({
      answer: (_r, n) => (n < 3 ? { kind: 'network', error: 'ECONNRESET', timedOut: false } : ok),
      setup: (s) => s.commitSync(DEV_A, [dayInput()], 1, 0),
    });
    expect(new Set(sent.map((s) => s.key)).size).toBe(1);
    expect(sent).toHaveLength(3);
  });
});
