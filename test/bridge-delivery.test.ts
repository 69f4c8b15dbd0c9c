// deliverOnce against a real local HTTP server (test/kits/http-recorder.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BushuConfig } from '../bridge/config.ts';
import { deliverOnce } from '../bridge/delivery/deliver.ts';
import type { Timers } from '../bridge/delivery/http.ts';
import { recordOutcome } from '../bridge/delivery/loop.ts';
import { Store } from '../bridge/store/store.ts';
import { verifyWebhook } from '../shared/webhook.ts';
import { DEV_A, dayInput } from './kits/days.ts';
import { startRecorder, type Recorder } from './kits/http-recorder.ts';

const SECRET = 'whsec_c2VjcmV0LWtleS1ieXRlcw==';
const NOW = Date.UTC(2026, 10, 21, 1, 2, 3);

let now = NOW;
let rec: Recorder;
let store: Store;
let config: Pick<BushuConfig, 'services' | 'delivery'>;
beforeEach(async () => {
  now = NOW;
  rec = await startRecorder();
  config = {
    services: [{ name: 'walkcoin', url: rec.url + '/api/', secret: SECRET, timeoutMs: 5000, enabled: true }],
    delivery: { baseDelayMs: 1000, maxDelayMs: 60000, retryForHours: 1, deadRetryHours: 6, concurrency: 2 },
  };
  store = Store.open(':memory:', { services: ['walkcoin'], users: { [DEV_A]: 'alice' } });
  store.commitSync(DEV_A, [dayInput({ steps: 8123 })], 5, NOW);
});
afterEach(async () => {
  store.close();
  await rec.close();
});

/** Count the attempt as the loop does, send it, and record the outcome like the loop, at `now` (due or not). */
async function attempt(timers?: Timers, random = () => 0.5) {
  const row = store.beginAttempt(store.dueDeliveries(Number.MAX_SAFE_INTEGER, 1)[0].id, now)!;
  const outcome = await deliverOnce(row, { config, now: () => now, random, timers });
  recordOutcome(store, row, outcome, now);
  return outcome;
}

describe('deliverOnce', () => {
  it('POSTs the stored body to /v1/days, signed and keyed', async () => {
    expect(await attempt()).toEqual({ kind: 'delivered', status: 200 });
    const [req] = rec.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/v1/days');
    expect(req.key).toMatch(new RegExp(`^bushu:walkcoin:${DEV_A}:2026-11-20:1:[0-9a-f]{16}$`));
    expect(req.headers['webhook-id']).toBe(req.key);
    expect(req.headers['webhook-timestamp']).toBe(String(NOW / 1000));
    expect(req.headers['content-type']).toBe('application/json');
    expect(verifyWebhook([SECRET], req.headers, req.body, NOW / 1000)).toEqual({ ok: true });
    expect(verifyWebhook(['whsec_b3RoZXI='], req.headers, req.body, NOW / 1000).ok).toBe(false);
    expect(JSON.parse(req.body)).toMatchObject({ recordVersion: 1, user: 'alice', steps: 8123, syncedAt: '2026-11-21T01:02:03.000Z' });
    expect(store.outbox()[0]).toMatchObject({ state: 'delivered', httpStatus: 200, deliveredAt: NOW });
  });

  it('retries a 500 with full-jitter backoff, then delivers the same key and body', async () => {
    rec.inject({ kind: 'status', status: 500, body: 'db down' });
    expect(await attempt(undefined, () => 0.5)).toEqual({ kind: 'retry', delayMs: 500, error: 'HTTP 500: db down', status: 500 });
    expect(store.outbox()[0]).toMatchObject({ state: 'pending', nextAt: NOW + 500, lastError: 'HTTP 500: db down', httpStatus: 500, lastAttemptAt: NOW, failingSince: NOW });
    expect(await attempt(undefined, () => 0.5)).toEqual({ kind: 'delivered', status: 200 });
    expect(rec.requests.map((r) => r.key)).toEqual([rec.requests[0].key, rec.requests[0].key]);
    expect(rec.requests[1].body).toBe(rec.requests[0].body);
  });

  it('honours Retry-After on 429, in seconds or as an HTTP date, capped', async () => {
    rec.inject({ kind: 'status', status: 429, headers: { 'retry-after': '7' } });
    expect(await attempt()).toMatchObject({ kind: 'retry', delayMs: 7000, error: 'HTTP 429' });
    rec.inject({ kind: 'status', status: 503, headers: { 'retry-after': new Date(NOW + 3_600_000).toUTCString() } });
    expect(await attempt()).toMatchObject({ kind: 'retry', delayMs: 60000 });
  });

  it('times out a hanging server and retries', async () => {
    rec.inject({ kind: 'hang' });
    const fire: (() => void)[] = [];
    const timers: Timers = { set: (fn) => fire.push(fn), clear: () => undefined };
    const pending = attempt(timers);
    await rec.nextRequest();
    fire[0]();
    expect(await pending).toMatchObject({ kind: 'retry', error: 'timed out after 5000 ms' });
  });

  it('retries a dropped connection, and a lost answer is replayed by the service, not accepted twice', async () => {
    rec.inject({ kind: 'drop' });
    expect(await attempt()).toMatchObject({ kind: 'retry' });
    rec.inject({ kind: 'accept-then-drop' });
    expect(await attempt()).toMatchObject({ kind: 'retry' });
    expect(await attempt()).toEqual({ kind: 'delivered', status: 200 });
    expect(rec.accepted.size).toBe(1);
    expect([...rec.accepted.values()][0].count).toBe(1);
    expect(rec.stats.replays).toBe(1);
  });

  it('retries 409 (same key in flight) for retryForHours, then keeps the dead letter retrying slowly', async () => {
    rec.inject({ kind: 'status', status: 409, body: '{"error":"idempotency_key_in_flight","retryable":true}' });
    rec.inject({ kind: 'status', status: 502 });
    rec.inject({ kind: 'status', status: 502 });
    expect(await attempt()).toMatchObject({ kind: 'retry', error: 'HTTP 409: {"error":"idempotency_key_in_flight","retryable":true}' });
    now = NOW + 30 * 60_000;
    expect(await attempt()).toMatchObject({ kind: 'retry', status: 502 });
    now = NOW + 61 * 60_000;
    const reason = 'gave up after 1.0 h and 3 attempts, retrying every 6 h; last: HTTP 502';
    expect(await attempt()).toEqual({ kind: 'dead', reason, status: 502, retryInMs: 6 * 3_600_000 });
    expect(store.outbox({ state: 'dead' })).toMatchObject([{ deadReason: reason, deadRetry: true, nextAt: now + 6 * 3_600_000 }]);
    expect(store.dueDeliveries(now + 6 * 3_600_000 - 1, 10)).toHaveLength(0);
    now += 6 * 3_600_000;
    expect(await attempt()).toEqual({ kind: 'delivered', status: 200 });
    expect(store.outbox()[0]).toMatchObject({ state: 'delivered', deadReason: null, deadRetry: false });
  });

  it('sends a 400 to the dead-letter list with the reason; retry and drop work on it', async () => {
    rec.inject({ kind: 'status', status: 400, body: '{"error":"date is in the future"}' });
    expect(await attempt()).toEqual({ kind: 'dead', reason: 'HTTP 400: {"error":"date is in the future"}', status: 400, retryInMs: null });
    const [dead] = store.outbox({ state: 'dead' });
    expect(dead).toMatchObject({ deadReason: 'HTTP 400: {"error":"date is in the future"}', deadRetry: false });
    expect(store.dueDeliveries(now + 365 * 86_400_000, 10)).toHaveLength(0);
    expect(store.retryDead(dead.id)).toBe(1);
    expect(await attempt()).toEqual({ kind: 'delivered', status: 200 });
    expect(store.drop(dead.id)).toBe(false); // delivered rows cannot be dropped
  });

  it('treats a redirect as a configuration error', async () => {
    rec.inject({ kind: 'status', status: 308, headers: { location: 'https://new.example/v1/days' } });
    expect(await attempt()).toEqual({ kind: 'dead', reason: 'HTTP 308: redirected to https://new.example/v1/days; configure the final URL', status: 308, retryInMs: null });
  });

  it('reports a refused connection as a network error to retry', async () => {
    const closed = await startRecorder();
    await closed.close();
    config.services[0].url = closed.url;
    expect(await attempt()).toMatchObject({ kind: 'retry', error: 'ECONNREFUSED' });
  });
});
