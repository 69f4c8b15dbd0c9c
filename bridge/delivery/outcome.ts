// Turning one attempt's result into what happens to the outbox row. Pure, so the rules are
// tested without a network and the delivery loop can be driven in virtual time.
import { backoffDelay, parseHttpDate, parseRetryAfter } from '../backoff.ts';
import type { DeliveryConfig } from '../config.ts';
import type { OutboxRow } from '../store/types.ts';
import type { AttemptResult } from './http.ts';

const HOUR_MS = 3_600_000;

export type Outcome =
  | { kind: 'delivered'; status: number }
  /**
   * Try again in delayMs (a dead letter stays dead while it is retried slowly). clockOffsetMs:
   * the service's clock minus ours, when it refused our timestamp and said what time it is.
   */
  | { kind: 'retry'; delayMs: number; error: string; status: number | null; clockOffsetMs?: number }
  /** retryInMs null: refused, only `bushu outbox retry` sends it again; else out of time, retried slowly. */
  | { kind: 'dead'; reason: string; status: number | null; retryInMs: number | null };

/**
 * What an answer means, after the answers `bushu serve` gives (docs/api.md, "Errors"):
 *  - transient: worth retrying as is: 408, 425, 429, 5xx, 409 other than summary_replayed
 *    (idempotency_key_in_flight: the same key is still being processed), and 401 other than
 *    clock skew (a secret being rotated on one side; fixed by config, not by the record);
 *  - skew: 401 whose answer blames the timestamp: our clock is off, correct it and retry soon;
 *  - refused: the same request can never succeed: 3xx (configure the final URL), 400, 403, 404,
 *    405, 413, 415, every 422 (invalid record, implausible, unknown user or device, forged or
 *    altered summary, key reused with another body) and 409 summary_replayed (the device-signed
 *    summary's counter was already used: sending it again will always conflict).
 */
export type Verdict = 'transient' | 'skew' | 'refused';

export function verdictOf(status: number, text: string): Verdict {
  if (status >= 500 || status === 408 || status === 425 || status === 429) return 'transient';
  if (status === 409) return errorCode(text) === 'summary_replayed' ? 'refused' : 'transient';
  if (status === 401) return /timestamp|tolerance|clock/i.test(text) ? 'skew' : 'transient';
  return 'refused';
}

export function classify(result: AttemptResult, row: OutboxRow, delivery: DeliveryConfig, now: number, random: () => number): Outcome {
  if (result.kind === 'response' && result.status >= 200 && result.status < 300) return { kind: 'delivered', status: result.status };
  const status = result.kind === 'response' ? result.status : null;
  let error: string;
  let delayMs = backoffDelay(row.attemptsInBudget, { baseMs: delivery.baseDelayMs, maxMs: delivery.maxDelayMs, jitter: 1, random });
  let clockOffsetMs: number | undefined;
  if (result.kind === 'network') {
    error = result.error;
  } else if (result.status >= 300 && result.status < 400) {
    return { kind: 'dead', reason: `HTTP ${result.status}: redirected to ${result.location ?? '?'}; configure the final URL`, status, retryInMs: null };
  } else {
    error = `HTTP ${result.status}${snippet(result.text)}`;
    const verdict = verdictOf(result.status, result.text);
    if (verdict === 'refused') return { kind: 'dead', reason: error, status, retryInMs: null };
    const serverNow = parseHttpDate(result.date);
    if (verdict === 'skew' && serverNow !== undefined) {
      // Sign by the service's clock from now on, and try again at once rather than after a backoff.
      clockOffsetMs = serverNow - now;
      delayMs = Math.min(delivery.baseDelayMs, delayMs);
    }
    const after = parseRetryAfter(result.retryAfter, now);
    if (after !== undefined) delayMs = Math.min(after, delivery.maxDelayMs);
  }
  const retry = (ms: number): Outcome => ({ kind: 'retry', delayMs: ms, error, status, ...(clockOffsetMs === undefined ? {} : { clockOffsetMs }) });
  const slowMs = delivery.deadRetryHours * HOUR_MS;
  // A dead letter being retried slowly: a skew correction may try again soon, anything else waits.
  if (row.state === 'dead') return retry(clockOffsetMs === undefined ? slowMs : delayMs);
  const failingForMs = row.failingSince === null ? 0 : now - row.failingSince;
  if (failingForMs >= delivery.retryForHours * HOUR_MS) {
    const reason = `gave up after ${hours(failingForMs)} h and ${row.attemptsInBudget} attempts, retrying every ${delivery.deadRetryHours} h; last: ${error}`;
    return { kind: 'dead', reason, status, retryInMs: slowMs };
  }
  return retry(delayMs);
}

/** The `error` code of a JSON answer such as `{"error": "summary_replayed", ...}`, if any. */
function errorCode(text: string): string | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && typeof (v as { error?: unknown }).error === 'string' ? (v as { error: string }).error : undefined;
  } catch {
    return undefined;
  }
}

function hours(ms: number): string {
  return (ms / HOUR_MS).toFixed(ms >= 10 * HOUR_MS ? 0 : 1);
}

function snippet(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return t === '' ? '' : `: ${t.length > 200 ? t.slice(0, 197) + '...' : t}`;
}
