// The bridge's one retry-timing helper (bridge/backoff.ts), used by reconnects and deliveries.
import { describe, expect, it } from 'vitest';
import { backoffDelay, parseHttpDate, parseRetryAfter } from '../bridge/backoff.ts';

describe('backoffDelay', () => {
  it('doubles and caps', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, { baseMs: 2000, maxMs: 10000 }))).toEqual([2000, 4000, 8000, 10000, 10000]);
  });

  it('with full jitter is uniformly random below base·2^(n-1), capped', () => {
    const full = (n: number, r: number) => backoffDelay(n, { baseMs: 100, maxMs: 1000, jitter: 1, random: () => r });
    expect([1, 2, 3, 4, 5].map((n) => full(n, 0.5))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((n) => full(n, 0))).toEqual([100, 200, 400, 800, 1000]);
    expect(full(30, 0.999)).toBe(1);
  });

  it('stays finite after thousands of failures (days of retries)', () => {
    expect(backoffDelay(5000, { baseMs: 1000, maxMs: 3_600_000 })).toBe(3_600_000);
  });
});

describe('server timing headers', () => {
  it('reads Retry-After seconds and dates, and ignores junk', () => {
    expect(parseRetryAfter('120', 0)).toBe(120000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:01 GMT', 4000)).toBe(0);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter('-5', 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });

  it('reads a Date header, and nothing else', () => {
    expect(parseHttpDate('Sat, 21 Nov 2026 02:00:00 GMT')).toBe(Date.parse('2026-11-21T02:00:00Z'));
    expect(parseHttpDate('2026')).toBeUndefined();
    expect(parseHttpDate(null)).toBeUndefined();
  });
});
