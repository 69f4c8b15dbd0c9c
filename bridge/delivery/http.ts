// The one place the bridge does HTTP: POST a signed day record with fetch (undici in Node 20)
// and an AbortController timeout. It never throws; network failures come back as values.
import type { OutboxRow } from '../store/types.ts';
import { signWebhook } from '../../shared/webhook.ts';

export interface HttpTarget {
  name: string;
  url: string;
  secret: string;
  timeoutMs: number;
}

/**
 * What one attempt got back: an HTTP status, or no answer at all. `date` is the service's Date
 * header: its clock, which the bridge signs by after a refusal for clock skew.
 */
export type AttemptResult =
  | { kind: 'response'; status: number; retryAfter: string | null; location: string | null; date?: string | null; text: string }
  | { kind: 'network'; error: string; timedOut: boolean };

/** Timers are injected so tests can fire a timeout without waiting for it. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface SendOptions {
  /** ms since 1970, for webhook-timestamp. */
  now: number;
  fetch?: typeof fetch;
  timers?: Timers;
}

export function endpoint(base: string): string {
  return base.replace(/\/+$/, '') + '/v1/days';
}

export async function postRecord(row: OutboxRow, target: HttpTarget, options: SendOptions): Promise<AttemptResult> {
  const doFetch = options.fetch ?? fetch;
  const timers = options.timers ?? realTimers;
  const abort = new AbortController();
  let timedOut = false;
  const timer = timers.set(() => {
    timedOut = true;
    abort.abort();
  }, target.timeoutMs);
  try {
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'bushu-bridge',
      'idempotency-key': row.key,
      // Signed per attempt (the timestamp is fresh), over the same stored body every time.
      ...signWebhook(target.secret, row.key, Math.floor(options.now / 1000), row.body),
    };
    const res = await doFetch(endpoint(target.url), { method: 'POST', headers, body: row.body, signal: abort.signal, redirect: 'manual' });
    // The body is read under the same timeout: a server that stalls mid-answer is a timeout too.
    const text = await res.text();
    const h = res.headers;
    return { kind: 'response', status: res.status, retryAfter: h.get('retry-after'), location: h.get('location'), date: h.get('date'), text };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const detail = timedOut ? `timed out after ${target.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
    return { kind: 'network', error: detail, timedOut };
  } finally {
    timers.clear(timer);
  }
}
