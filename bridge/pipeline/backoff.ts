// Reconnect delays: capped exponential, no jitter by default so TestScheduler tests can pin
// the exact times; the daemon passes a random source to spread several bridges apart.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** 0..1; the delay is scaled by (1 - jitter * random()). */
  jitter?: number;
  random?: () => number;
}

export const RECONNECT_BACKOFF: BackoffOptions = { baseMs: 2000, maxMs: 5 * 60_000 };

/** Delay before attempt `failures + 1`, after `failures` consecutive failures (>= 1). */
export function backoffDelay(failures: number, o: BackoffOptions): number {
  const raw = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return o.jitter ? Math.round(raw * (1 - o.jitter * (o.random ?? Math.random)())) : raw;
}
