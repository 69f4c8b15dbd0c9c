// Turning one attempt's result into what happens to the outbox row. Pure, so the rules are
// tested without a network and the delivery loop can be driven in virtual time.
import type { DeliveryConfig } from '../config.ts';
import type { OutboxRow } from '../store/types.ts';
import { fullJitter, parseRetryAfter } from './backoff.ts';
import type { AttemptResult } from './http.ts';

export type Outcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; delayMs: number; error: string }
  | { kind: 'dead'; reason: string };

/**
 * Retried: network errors and timeouts (the service may or may not have the record; the same
 * key makes a repeat harmless), 5xx, 429, 408, 425, and 409, which an idempotent service answers
 * while another request with the same key is still in flight (e.g. one sent just before a crash).
 * Dead: every other status (400, 401, 403, 404, 413, 422 "key reused with another body", 3xx);
 * retrying cannot fix them, so they wait in the dead-letter list with the reason.
 */
export const RETRYABLE_STATUS = new Set([408, 409, 425, 429]);

export function classify(result: AttemptResult, row: OutboxRow, delivery: DeliveryConfig, now: number, random: () => number): Outcome {
  let error: string;
  let delayMs = fullJitter(row.attemptsInBudget, delivery.baseDelayMs, delivery.maxDelayMs, random);
  if (result.kind === 'network') {
    error = result.error;
  } else if (result.status >= 200 && result.status < 300) {
    return { kind: 'delivered', status: result.status };
  } else if (result.status >= 500 || RETRYABLE_STATUS.has(result.status)) {
    error = `HTTP ${result.status}${snippet(result.text)}`;
    const after = parseRetryAfter(result.retryAfter, now);
    if (after !== undefined) delayMs = Math.min(after, delivery.maxDelayMs);
  } else if (result.status >= 300 && result.status < 400) {
    return { kind: 'dead', reason: `HTTP ${result.status}: redirected to ${result.location ?? '?'}; configure the final URL` };
  } else {
    return { kind: 'dead', reason: `HTTP ${result.status}${snippet(result.text)}` };
  }
  if (row.attemptsInBudget >= delivery.maxAttempts) {
    return { kind: 'dead', reason: `gave up after ${row.attemptsInBudget} attempts; last: ${error}` };
  }
  return { kind: 'retry', delayMs, error };
}

function snippet(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return t === '' ? '' : `: ${t.length > 200 ? t.slice(0, 197) + '...' : t}`;
}
