// Standard Webhooks signing for day-record deliveries (docs/day-record.md). Node only.
// Signed content is `${id}.${timestamp}.${body}`; the header carries one or more
// space-separated `v1,<base64 HMAC-SHA256>` so a service can rotate its secret without downtime.

import { createHmac, timingSafeEqual } from 'node:crypto';
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

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The key bytes of a `whsec_<base64>` secret, or undefined when it is not one. */
function secretKey(secret: string): Buffer | undefined {
  if (typeof secret !== 'string' || !secret.startsWith(SECRET_PREFIX)) return undefined;
  const b64 = secret.slice(SECRET_PREFIX.length);
  if (!BASE64.test(b64) || b64.length % 4 !== 0) return undefined;
  return Buffer.from(b64, 'base64');
}

function sign(key: Buffer, id: string, timestampSec: number | string, body: string): Buffer {
  return createHmac('sha256', key).update(id + '.' + timestampSec + '.' + body).digest();
}

/** Headers for one delivery attempt. Throws on a malformed secret: that is a configuration bug. */
export function signWebhook(secret: string, id: string, timestampSec: number, body: string): WebhookHeaders {
  const key = secretKey(secret);
  if (key === undefined) throw new Error('webhook secret must be "whsec_" followed by base64');
  if (!Number.isSafeInteger(timestampSec)) throw new Error('webhook timestamp must be integer seconds, got ' + timestampSec);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': 'v1,' + sign(key, id, timestampSec, body).toString('base64'),
  };
}

/** A header by case-insensitive name; Node gives lower-case, fetch's Headers any case. */
function header(headers: IncomingHeaders, name: string): string | undefined {
  for (const k of Object.keys(headers)) {
    if (k.toLowerCase() !== name) continue;
    const v = headers[k];
    return Array.isArray(v) ? v.join(' ') : v;
  }
  return undefined;
}

/**
 * Checks a delivery. 400 when the request is malformed (missing or unparsable headers),
 * 401 when it is well formed but not authentic or not fresh. Accepts the delivery when any
 * v1 signature matches any of `secrets` (several during key rotation).
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

  const keys: Buffer[] = [];
  for (let i = 0; i < secrets.length; i++) {
    const k = secretKey(secrets[i]);
    if (k === undefined) return { ok: false, status: 401, error: 'configured secret ' + i + ' is not "whsec_<base64>"' };
    keys.push(k);
  }
  if (keys.length === 0) return { ok: false, status: 401, error: 'no webhook secret configured' };

  const given: Buffer[] = [];
  for (const part of sigs.split(' ')) {
    if (part === '') continue;
    const comma = part.indexOf(',');
    if (comma < 0) return { ok: false, status: 400, error: 'webhook-signature entry without a version: ' + JSON.stringify(part) };
    // Other versions (v1a: asymmetric) are skipped, as the standard asks, not rejected.
    if (part.slice(0, comma) === 'v1') given.push(Buffer.from(part.slice(comma + 1), 'base64'));
  }
  if (given.length === 0) return { ok: false, status: 400, error: 'webhook-signature has no v1 signature' };

  for (const key of keys) {
    const expected = sign(key, id, ts, body);
    for (const g of given) if (g.length === expected.length && timingSafeEqual(g, expected)) return { ok: true };
  }
  return { ok: false, status: 401, error: 'no webhook signature matches' };
}

/** `bushu:<service>:<device>:<date>:<recordVersion>`, also used as the webhook-id. */
export function idempotencyKey(service: string, device: string, date: string, recordVersion: number): string {
  if (!/^[A-Za-z0-9._-]+$/.test(service)) throw new RangeError('service name must be letters, digits, ".", "_" or "-", got ' + JSON.stringify(service));
  if (!isDeviceId(device)) throw new RangeError('device ' + DEVICE_ID_RULE + ', got ' + JSON.stringify(device));
  dayNumber(date);
  if (!Number.isSafeInteger(recordVersion) || recordVersion < 1) throw new RangeError('recordVersion must be a positive integer, got ' + recordVersion);
  return 'bushu:' + service + ':' + device + ':' + date + ':' + recordVersion;
}
