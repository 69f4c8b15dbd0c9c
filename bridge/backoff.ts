// Retry timing, the one helper for the whole bridge: device reconnects (pipeline/device-jobs.ts)
// and deliveries (delivery/outcome.ts) both wait a capped exponential backoff, optionally jittered
// so that bridges or devices that failed together do not retry together. Retry-After and the Date
// header are read here too, because a server's word on timing beats our guess.

export interface Backoff {
  baseMs: number;
  maxMs: number;
  /** 0..1, the share of the wait that is random: the wait is scaled by (1 - jitter * random()). 1 is "full jitter". */
  jitter?: number;
  random?: () => number;
}

/** Wait before attempt `failures + 1`, after `failures` consecutive failures (>= 1). */
export function backoffDelay(failures: number, o: Backoff): number {
  const raw = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(40, Math.max(0, failures - 1)));
  return o.jitter ? Math.round(raw * (1 - o.jitter * (o.random ?? Math.random)())) : raw;
}

/** An HTTP date ("Wed, 21 Oct 2026 07:28:00 GMT") as ms since 1970, or undefined. */
export function parseHttpDate(value: string | null | undefined): number | undefined {
  const v = value?.trim();
  // Only the date forms: Date.parse would also take "5" or "soon 2026" as a date.
  if (v === undefined || !/^[A-Za-z]{3},? /.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : at;
}

/**
 * Retry-After as milliseconds from `nowMs`: delay-seconds ("120") or an HTTP date. undefined
 * when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (/^[0-9]+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = parseHttpDate(value);
  return at === undefined ? undefined : Math.max(0, at - nowMs);
}
