// Retry timing: full-jitter exponential backoff (a uniformly random wait up to base·2^(n-1),
// capped), so bridges that failed together do not retry together; and Retry-After, which wins
// when the server sends it, because the server knows when it will be ready.

/** Wait before attempt n+1 after n failed attempts (n ≥ 1). `random` returns [0, 1). */
export function fullJitter(attempts: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Retry-After as milliseconds from `nowMs`: delay-seconds ("120") or an HTTP date
 * ("Wed, 21 Oct 2026 07:28:00 GMT"). undefined when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^[0-9]+$/.test(v)) return Number(v) * 1000;
  // Only the date forms: Date.parse would also take "5" or "soon 2026" as a date.
  if (!/^[A-Za-z]{3},? /.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
