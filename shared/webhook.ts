// Standard Webhooks for day-record deliveries (docs/day-record.md). Node only. The signature is
// `v1,<base64 HMAC-SHA256>` over `${id}.${timestamp}.${body}`, keyed by the base64 after `whsec_`;
// this module adds what bushu needs around it: several secrets at once (rotation), an injected
// clock and HTTP verdicts.
//
// Why not the `standardwebhooks` package, which the tests hold this module to (its reference
// vector and its own verify): its `verify` checks the timestamp against the real clock (Date.now)
// with a fixed 5-minute tolerance, while the services run on an injected clock (the demo simulates
// weeks in minutes) with a configurable tolerance, and it answers one exception for every failure
// where the services answer 400 (malformed) or 401 (not authentic) with a precise reason. Its
// `sign` hashes in JavaScript: OpenSSL's HMAC through node:crypto is about ten times cheaper, and
// every delivery the services accept pays for one.

import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { dayNumber } from './days.ts';
import { DEVICE_ID_RULE, isDeviceId } from './record/index.ts';

// A type alias, not an interface, so it is assignable to IncomingHeaders.
export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** Node's IncomingHttpHeaders, a plain object, or the result of signWebhook. */
export type IncomingHeaders = Record<string, string | string[] | undefined>;

export type WebhookVerdict = { ok: true } | { ok: false; status: 400 | 401; error: string };

/** What a configured secret must look like; the configs quote it in their errors. */
export const SECRET_RULE = '"whsec_" followed by base64 (Standard Webhooks)';

/**
 * `whsec_` and canonical base64 of at least one byte. The package would also take a secret
 * without the prefix, or decode a malformed one into some key: bushu refuses both, so a secret
 * pasted wrongly is a configuration error rather than a key nobody else has.
 */
export function isWebhookSecret(secret: unknown): secret is string {
  if (typeof secret !== 'string' || !secret.startsWith('whsec_')) return false;
  const b64 = secret.slice('whsec_'.length);
  return b64.length > 0 && b64.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(b64);
}

// Each secret's key, decoded and imported once: an HMAC keyed by a KeyObject starts in about half
// the time of one keyed by raw bytes, and the services verify one for every delivery. Secrets
// come from configuration, a handful at a time; the cache is emptied should it ever hold more.
const keys = new Map<string, KeyObject>();
const MAX_KEYS = 64;

function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (key === undefined) {
    if (keys.size >= MAX_KEYS) keys.clear();
    key = createSecretKey(Buffer.from(secret.slice('whsec_'.length), 'base64'));
    keys.set(secret, key);
  }
  return key;
}

function signature(secret: string, id: string, timestampSec: number, body: string): string {
  return 'v1,' + createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSec}.${body}`).digest('base64');
}

/** Headers for one delivery attempt. Throws on a malformed secret: that is a configuration bug. */
export function signWebhook(secret: string, id: string, timestampSec: number, body: string): WebhookHeaders {
  if (!isWebhookSecret(secret)) throw new Error('webhook secret must be ' + SECRET_RULE);
  if (!Number.isSafeInteger(timestampSec)) throw new Error('webhook timestamp must be integer seconds, got ' + timestampSec);
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSec), 'webhook-signature': signature(secret, id, timestampSec, body) };
}

/** A header by case-insensitive name; Node gives lower-case, fetch's Headers any case. */
function header(headers: IncomingHeaders, name: string): string | undefined {
  // Node's own headers are lower-case already: found at once, without going through every name.
  const exact = headers[name];
  if (exact !== undefined) return Array.isArray(exact) ? exact.join(' ') : exact;
  for (const k of Object.keys(headers)) {
    if (k.toLowerCase() !== name) continue;
    const v = headers[k];
    return Array.isArray(v) ? v.join(' ') : v;
  }
  return undefined;
}

/** Equal strings, compared in constant time (secrets and tokens). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks a delivery. 400 when the request is malformed (missing or unparsable headers),
 * 401 when it is well formed but not authentic or not fresh. Accepts the delivery when any
 * v1 signature matches any of `secrets` (several during key rotation). `nowSec` is the
 * caller's clock, not necessarily the real one.
 */
export function verifyWebhook(
  secrets: string[],
  headers: IncomingHeaders,
  body: string,
  nowSec: number,
  toleranceSec = 300,
): WebhookVerdict {
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const sigs = header(headers, 'webhook-signature');
  if (!id) return { ok: false, status: 400, error: 'missing webhook-id header' };
  if (!ts) return { ok: false, status: 400, error: 'missing webhook-timestamp header' };
  if (!sigs) return { ok: false, status: 400, error: 'missing webhook-signature header' };
  if (!/^[0-9]{1,15}$/.test(ts)) return { ok: false, status: 400, error: 'webhook-timestamp is not integer seconds: ' + JSON.stringify(ts) };
  const t = Number(ts);
  if (t < nowSec - toleranceSec) return { ok: false, status: 401, error: 'webhook-timestamp is too old (' + (nowSec - t) + ' s)' };
  if (t > nowSec + toleranceSec) return { ok: false, status: 401, error: 'webhook-timestamp is in the future (' + (t - nowSec) + ' s)' };

  const bad = secrets.findIndex((s) => !isWebhookSecret(s));
  if (bad >= 0) return { ok: false, status: 401, error: 'configured secret ' + bad + ' is not "whsec_<base64>"' };
  if (secrets.length === 0) return { ok: false, status: 401, error: 'no webhook secret configured' };

  const given: string[] = [];
  for (const part of sigs.split(' ')) {
    if (part === '') continue;
    const comma = part.indexOf(',');
    if (comma < 0) return { ok: false, status: 400, error: 'webhook-signature entry without a version: ' + JSON.stringify(part) };
    // Other versions (v1a: asymmetric) are skipped, as the standard asks, not rejected.
    if (part.slice(0, comma) === 'v1') given.push(part);
  }
  if (given.length === 0) return { ok: false, status: 400, error: 'webhook-signature has no v1 signature' };

  for (const secret of secrets) {
    const expected = signature(secret, id, t, body);
    if (given.some((g) => sameSecret(g, expected))) return { ok: true };
  }
  return { ok: false, status: 401, error: 'no webhook signature matches' };
}

/**
 * `bushu:<service>:<device>:<date>:<recordVersion>`: the readable part of every Idempotency-Key
 * (and webhook-id). The bridge appends the body's digest (bridge/store/outbox.ts, deliveryKey), so
 * a key never names two different bodies, even across bridge reinstalls.
 */
export function idempotencyKey(service: string, device: string, date: string, recordVersion: number): string {
  if (!/^[A-Za-z0-9._-]+$/.test(service)) throw new RangeError('service name must be letters, digits, ".", "_" or "-", got ' + JSON.stringify(service));
  if (!isDeviceId(device)) throw new RangeError('device ' + DEVICE_ID_RULE + ', got ' + JSON.stringify(device));
  dayNumber(date);
  if (!Number.isSafeInteger(recordVersion) || recordVersion < 1) throw new RangeError('recordVersion must be a positive integer, got ' + recordVersion);
  return 'bushu:' + service + ':' + device + ':' + date + ':' + recordVersion;
}
