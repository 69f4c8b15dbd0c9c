// The delivery loop in rxjs virtual time: no network, no sleeps. `send` answers after a
// simulated latency on the TestScheduler, so every time below is a virtual millisecond.
import { map, Subject, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { BushuConfig } from '../bridge/config.ts';
import { DELIVERY_DEFAULTS } from '../bridge/config/sections.ts';
import type { AttemptResult } from '../bridge/delivery/http.ts';
import { deliveryLoop, type DeliveryEvent } from '../bridge/delivery/loop.ts';
import { ClockCheck } from '../bridge/sync/time-sync.ts';
import { Store } from '../bridge/store/store.ts';
import type { OutboxRow } from '../bridge/store/types.ts';
import { DEV_A, dayInput } from './kits/days.ts';

const ok: AttemptResult = { kind: 'response', status: 200, retryAfter: null, location: null, text: '' };
const status = (s: number, retryAfter: string | null = null, text = '', date: string | null = null): AttemptResult => ({ kind: 'response', status: s, retryAfter, location: null, date, text });
const HOUR = 3_600_000;

interface Sent {
  at: number;
  key: string;
  steps: number;
  /** The webhook timestamp the attempt was signed with (ms). */
  signAt: number;
}

/**
 * Runs the loop for `until` virtual ms. `answer` picks each attempt's result; `script` can
 * commit syncs at given times (and emits "outbox changed"). Returns requests and events.
 */
function run(opts: {
  /** n counts attempts from 1; `at` is when the attempt was sent, by the services' clock. */
  answer: (row: OutboxRow, n: number, signAt: number, at: number) => AttemptResult;
  latency?: number;
  services?: string[];
  concurrency?: number;
  delivery?: Partial<BushuConfig['delivery']>;
  /** How far the bridge's clock is ahead of the scheduler's (the services' clock). */
  clockAheadMs?: number;
  clockCheck?: ClockCheck;
  setup: (store: Store) => void;
  script?: (at: (t: number, fn: () => void) => void, store: Store, changed: () => void) => void;
  until?: number;
}) {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  const services = opts.services ?? ['walkcoin'];
  const store = Store.open(':memory:', { services });
  const config: Pick<BushuConfig, 'services' | 'delivery'> = {
    services: services.map((name) => ({ name, url: 'http://unused', secret: 'whsec_AA==', timeoutMs: 1000, enabled: true })),
    delivery: { baseDelayMs: 100, maxDelayMs: 10000, retryForHours: 1, deadRetryHours: 6, concurrency: opts.concurrency ?? 4, ...opts.delivery },
  };
  const sent: Sent[] = [];
  const events: DeliveryEvent[] = [];
  scheduler.run(() => {
    const changes = new Subject<void>();
    opts.setup(store);
    const send = (row: OutboxRow, _service: unknown, signAt: number) => {
      const at = scheduler.now();
      const n = sent.push({ at, key: row.key, steps: JSON.parse(row.body).steps, signAt });
      return timer(opts.latency ?? 10, scheduler).pipe(map(() => opts.answer(row, n, signAt, at)));
    };
    const clock = () => scheduler.now() + (opts.clockAheadMs ?? 0);
    const sub = deliveryLoop({ store, config, scheduler, clock, send, random: () => 0.5, changes, clockCheck: opts.clockCheck }).subscribe((e) => events.push(e));
    opts.script?.((t, fn) => scheduler.schedule(fn, t), store, () => changes.next());
    scheduler.schedule(() => sub.unsubscribe(), opts.until ?? 100_000);
  });
  return { sent, events, store };
}

describe('deliveryLoop', () => {
  it('backs off with full jitter from the base delay, capped, for retryForHours; then dead-letters and retries every deadRetryHours', () => {
    const { sent, events, store } = run({
      answer: () => status(503),
      setup: (s) => s.commitSync(DEV_A, [dayInput()], 1, 0),
      until: 14 * HOUR,
    });
    // random 0.5: waits of 50, 100, 200 ms after each answer (10 ms latency), up to 5 s (half the 10 s cap).
    expect(sent.slice(0, 4).map((s) => s.at)).toEqual([0, 60, 170, 380]);
    expect(sent[101].at - sent[100].at).toBe(5010);
    const dead = events.filter((e) => e.type === 'dead');
    expect(dead).toHaveLength(1);
    // The first failure was answered at 10 ms; the first answer an hour or more after it gives up.
    expect(dead[0].at).toBeGreaterThanOrEqual(10 + HOUR);
    expect(dead[0].at).toBeLessThan(10 + HOUR + 5010);
    expect(dead[0]).toMatchObject({ nextAt: dead[0].at + 6 * HOUR, reason: expect.stringMatching(/^gave up after 1\.0 h and \d+ attempts, retrying every 6 h; last: HTTP 503$/) });
    // Then one attempt every 6 h, the row staying dead (and listed as such) in between.
    expect(sent.filter((s) => s.at > dead[0].at).map((s) => s.at)).toEqual([dead[0].at + 6 * HOUR, dead[0].at + 12 * HOUR + 10]);
    expect(store.outbox()[0]).toMatchObject({ state: 'dead', deadRetry: true, lastError: 'HTTP 503', httpStatus: 503 });
  });

  it('retries a short outage until the service is back: no award is lost to a 30 h outage (issue 11, 1)', () => {
    const back = 30 * HOUR;
    const { sent, store } = run({
      answer: (_r, _n, _signAt, at) => (at < back ? { kind: 'network', error: 'ECONNREFUSED', timedOut: false } : ok),
      setup: (s) => s.commitSync(DEV_A, [dayInput()], 1, 0),
      delivery: { ...DELIVERY_DEFAULTS },
      until: 40 * HOUR,
    });
    expect(store.outbox()[0]).toMatchObject({ state: 'delivered' });
    // Capped at an hour: delivered within the hour after the outage ends.
    expect(sent.at(-1)!.at - back).toBeLessThanOrEqual(HOUR);
    expect(sent.length).toBeLessThan(80);
  });

  it('checks the host clock against every answer\'s Date header, for the time the bridge gives watches', () => {
    const check = new ClockCheck();
    const ahead = 3 * HOUR;
    run({
      clockAheadMs: ahead,
      clockCheck: check,
      answer: (_r, _n, _signAt, serverNow) => status(201, null, '', new Date(serverNow).toUTCString()),
      setup: (s) => s.commitSync(DEV_A, [dayInput()], 1, 0),
      until: 1000,
    });
    // Answered 10 ms after the request, with a Date of whole seconds: within 2 s of the truth.
    const now = { now: () => 50_000 + ahead, offsetMin: () => 0 };
    expect(Math.abs(check.checkedNow(now)! - 50_000)).toBeLessThan(2000);
  });

  it('signs by the service clock after a refusal for clock skew, and retries at once (issue 11, 2)', () => {
    const ahead = 10 * 60_000;
    const { sent, store } = run({
      clockAheadMs: ahead,
      // The service's check: more than 300 s from its clock is refused, with its Date header.
      answer: (_r, _n, signAt, serverNow) => {
        if (Math.abs(signAt - serverNow) <= 300_000) return ok;
        return status(401, null, '{"error":"bad_webhook_signature","message":"webhook-timestamp is in the future (600 s)"}', new Date(serverNow + 10).toUTCString());
      },
      setup: (s) => s.commitSync(DEV_A, ['2026-11-18', '2026-11-19', '2026-11-20'].map((date) => dayInput({ date })), 3, ahead),
      concurrency: 1,
    });
    expect(store.outbox().map((r) => r.state)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(sent).toHaveLength(4);
    expect(sent[0].signAt - sent[0].at).toBe(ahead);
    // One refusal: the next days go out at once, signed by the corrected clock, and the refused
    // one is retried within the base delay (here 50 ms, jittered), not after a backoff.
    expect(sent.map((s) => s.at)).toEqual([0, 10, 20, 60]);
    for (const s of sent.slice(1)) expect(Math.abs(s.signAt - s.at)).toBeLessThan(1000);
  });

  it('stops at once on 409 summary_replayed, keeping the reason (issue 11, 11)', () => {
    const { sent, events, store } = run({
      answer: () => status(409, null, '{"error":"summary_replayed","message":"summary counter 7 for 2026-11-20 conflicts"}'),
      setup: (s) => s.commitSync(DEV_A, [dayInput()], 1, 0),
      until: 100 * HOUR,
    });
    expect(sent).toHaveLength(1);
    expect(events).toMatchObject([{ type: 'dead', nextAt: null }]);
    expect(store.outbox()[0]).toMatchObject({ state: 'dead', deadRetry: false, deadReason: expect.stringContaining('summary_replayed'), attempts: 1 });
  });

  it('keeps retrying a 409 while the same key is in flight', () => {
    const { sent, store } = run({
      answer: (_r, n) => (n < 3 ? status(409, null, '{"error":"idempotency_key_in_flight","retryable":true}') : ok),
      setup: (s) => s.commitSync(DEV_A, [dayInput()], 1, 0),
    });
    expect(sent).toHaveLength(3);
    expect(store.outbox()[0].state).toBe('delivered');
  });

  it('honours Retry-After instead of the backoff', () => {
    const { sent } = run({
      answer: (_row, n) => (n === 1 ? status(429, '3') : ok),
      setup: (s) => s.commitSync(DEV_A, [dayInput()], 1, 0),
    });
    expect(sent.map((s) => s.at)).toEqual([0, 3010]);
  });

  it('does not retry a refused dead letter, even when the outbox changes or days pass', () => {
    const { sent, store } = run({
      answer: () => status(400),
      setup: (s) => s.commitSync(DEV_A, [dayInput()], 1, 0),
      script: (at, _s, changed) => [100, 5000, 50000, 7 * HOUR].forEach((t) => at(t, changed)),
      until: 100 * HOUR,
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
      { at: 0, key: expect.stringMatching(new RegExp(`^bushu:walkcoin:${DEV_A}:2026-11-20:1:`)), steps: 10, signAt: 0 },
      { at: 100, key: expect.stringMatching(new RegExp(`^bushu:walkcoin:${DEV_A}:2026-11-20:2:`)), steps: 40, signAt: 100 },
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
