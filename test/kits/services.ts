// Building and delivering signed day records the way the bridge does, for the tests, the
// benchmark and manual trials. Not used by the services themselves.
import { createHash, randomBytes } from 'node:crypto';
import { dayNumber } from '../../shared/days.ts';
import { signSummary, summaryMessage } from '../../shared/protocol/summary.ts';
import { recordHoursDigest } from '../../shared/protocol/summary-verify.ts';
import { signWebhook } from '../../shared/webhook.ts';
import type { DayRecord } from '../../shared/record/index.ts';

/** A human-looking day: walks in the morning, at lunch and in the evening, of uneven length. */
const WEIGHTS = [0, 0, 0, 0, 0, 0, 0, 3, 9, 2, 1, 4, 8, 2, 1, 1, 3, 5, 10, 6, 4, 2, 0, 0];
const WEIGHT_SUM = WEIGHTS.reduce((a, b) => a + b, 0);

export function humanHours(steps: number): number[] {
  const hours = WEIGHTS.map((w) => Math.floor((steps * w) / WEIGHT_SUM));
  hours[18] += steps - hours.reduce((a, b) => a + b, 0);
  return hours;
}

export function makeRecord(o: Partial<DayRecord> & { user: string; device: string; date: string; steps: number }): DayRecord {
  return {
    schema: 1,
    recordVersion: 1,
    source: 'bushu',
    utcOffsetMin: 480,
    hours: humanHours(o.steps),
    notWornHours: [0, 1, 2, 3, 4, 5],
    closed: true,
    summary: null,
    firmware: '0.2.0',
    syncedAt: '2026-11-21T01:02:03.000Z',
    ...o,
  };
}

const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());

/**
 * The record with a summary signed by keyHex at counter (fields may be overridden to forge):
 * version 2 over the record's hours and not-worn hours, unless the record has no hours or
 * `hoursDigest: null` asks for version 1 (older firmware); with `epoch`, version 3 as the firmware
 * signs now, its closed flag the record's unless `closed` overrides it.
 */
export function signRecord(
  r: DayRecord,
  keyHex: string,
  counter: number,
  fields: Partial<{ steps: number; day: number; offsetMin: number; deviceId: string; hoursDigest: string | null; epoch: number; closed: boolean }> = {},
): DayRecord {
  const hoursDigest = recordHoursDigest(r.hours, r.notWornHours);
  const message = summaryMessage({ deviceId: r.device, day: dayNumber(r.date), offsetMin: r.utcOffsetMin, steps: r.steps, counter, hoursDigest, closed: r.closed, ...fields });
  const tag = signSummary(sha256, Buffer.from(keyHex, 'hex'), message);
  return { ...r, summary: { message: Buffer.from(message).toString('hex'), tag: Buffer.from(tag).toString('hex') } };
}

export function newKeyHex(): string {
  return randomBytes(32).toString('hex');
}

export function newWebhookSecret(): string {
  return 'whsec_' + randomBytes(24).toString('base64');
}

export interface Delivery {
  status: number;
  body: Record<string, unknown>;
  replayed: boolean;
}

/** POST one record to `${base}/v1/days` with Standard Webhooks headers, as the bridge would. */
export async function deliver(
  base: string,
  record: unknown,
  opts: { secret: string; nowSec: number; key?: string | null; body?: string; contentType?: string },
): Promise<Delivery> {
  const body = opts.body ?? JSON.stringify(record);
  const r = record as DayRecord;
  const key = opts.key === undefined ? `bushu:${new URL(base).pathname.replace(/^\//, '')}:${r.device}:${r.date}:${r.recordVersion}` : opts.key;
  const headers: Record<string, string> = {
    'content-type': opts.contentType ?? 'application/json',
    ...signWebhook(opts.secret, key ?? 'no-key', opts.nowSec, body),
  };
  if (key !== null) headers['idempotency-key'] = key;
  const res = await fetch(`${base}/v1/days`, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed, replayed: res.headers.get('idempotent-replayed') === 'true' };
}
