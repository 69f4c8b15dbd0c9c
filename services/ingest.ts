// What both services do with a day record that passed the contract (shared/record), before their
// own rules: the shape of an ingest step, and the checks made before opening a transaction —
// reject rules of plausibility, a day that has not started yet, an impossible syncedAt, and the
// registry (the user exists, the device is registered to that user and served by the bridge that
// sent the record). The webhook secret proves which bridge sent the record (bridges.ts); the
// registry is what ties a device's days to one user and one bridge, so neither service takes days
// from a device it does not know, from a bridge that does not serve it, or for another user.
import { localDayStartMs } from '../shared/days.ts';
import type { DayRecord } from '../shared/record/index.ts';
import type { ServicesConfig } from './config.ts';
import { forUpdate, type Dialect, type Queryable } from './db/types.ts';
import { HttpError, type Response } from './http/router.ts';
import { checkPlausibility, type Finding } from './plausibility.ts';

/** A record and the bridge whose secret signed its delivery. */
export interface Delivery {
  record: DayRecord;
  bridge: string;
}

/**
 * One service's handling of a record, on the delivery's transaction (idempotency.ts idempotent:
 * the key's claim and the stored response are in it too); a throw rolls all of it back.
 */
export type Ingest = (q: Queryable, dialect: Dialect, config: ServicesConfig, delivery: Delivery, nowMs: number) => Promise<Response>;

export interface DeviceRow {
  id: string;
  user_id: string;
  /** Null for a device registered before bridges existed: no bridge serves it. */
  bridge_id: string | null;
  key_hex: string | null;
  last_counter: number | null;
}

/** A day starting more than an hour from now (any clock skew allowed for) is not a record of the past. */
export const FUTURE_SLACK_MS = 3_600_000;

/**
 * How far a record's syncedAt (the bridge's clock when it read the watch) may stray and still be
 * believed. Wide on purpose: a bridge's clock can be a day off, and refusing the record would cost
 * its user the day; syncedAt only informs. What is refused is the impossible: a sync long before
 * the day began, or long after now (year 9999, an unset clock at 1970).
 */
export const SYNC_SKEW_MS = 48 * 3_600_000;

/** The checks that need no database: plausibility's rejects, a day to come, an impossible syncedAt. Throws the 422; returns the flags. */
export function checkRecord(config: ServicesConfig, record: DayRecord, nowMs: number): Finding[] {
  const findings = checkPlausibility(record, config.plausibility);
  const rejects = findings.filter((f) => f.severity === 'reject');
  if (rejects.length > 0) throw new HttpError(422, 'implausible', rejects.map((f) => f.detail).join('; '), { reasons: rejects });
  const dayStartMs = localDayStartMs(record.date, record.utcOffsetMin);
  if (dayStartMs > nowMs + FUTURE_SLACK_MS) throw new HttpError(422, 'future_date', `${record.date} has not started yet`);
  const syncedMs = Date.parse(record.syncedAt);
  if (syncedMs < dayStartMs - SYNC_SKEW_MS || syncedMs > nowMs + SYNC_SKEW_MS) {
    throw new HttpError(422, 'invalid_record', `syncedAt: ${record.syncedAt} is impossible for a record of ${record.date} received now`, { field: 'syncedAt' });
  }
  return findings;
}

/** The registry's word on a delivery, given the device's row (undefined: not registered) and whether its user exists. Throws the 4xx. */
export function checkRegistry({ record, bridge }: Delivery, device: DeviceRow | undefined, userKnown: boolean): DeviceRow {
  if (!userKnown) throw new HttpError(422, 'unknown_user', `user ${record.user} is not registered`);
  if (device === undefined) throw new HttpError(422, 'unknown_device', `device ${record.device} is not registered`);
  // 403, a refusal for good: the secret was valid, but this bridge may not speak for this device.
  // Before the user check, so a bridge learns nothing of another bridge's device but this.
  if (device.bridge_id !== bridge) throw new HttpError(403, 'device_not_served', `device ${record.device} is not served by bridge ${bridge}`);
  if (device.user_id !== record.user) throw new HttpError(422, 'device_user_mismatch', `device ${record.device} is registered to another user`);
  return { id: device.id, user_id: device.user_id, bridge_id: device.bridge_id, key_hex: device.key_hex, last_counter: device.last_counter === null ? null : Number(device.last_counter) };
}

/**
 * Throws the 4xx; returns the device's registry row and the plausibility flags (non-reject findings).
 * The device row and the user's existence are read in one statement; with `lock`, the device row
 * is locked for the transaction (the reward service orders a device's signed days under it).
 */
export async function precheckDay(q: Queryable, dialect: Dialect, config: ServicesConfig, delivery: Delivery, nowMs: number, lock: boolean): Promise<{ device: DeviceRow; flags: Finding[] }> {
  const flags = checkRecord(config, delivery.record, nowMs);
  const { record } = delivery;
  // By device and user, the key of a user-sharded devices table (migration 011): one shard.
  const [device] = await q.all<DeviceRow & { user_known: number | boolean }>(
    `SELECT id, user_id, bridge_id, key_hex, last_counter, EXISTS (SELECT 1 FROM users WHERE id = $2) AS user_known
     FROM devices WHERE id = $1 AND user_id = $2${lock ? forUpdate({ dialect }) : ''}`,
    [record.device, record.user],
  );
  if (device !== undefined) return { device: checkRegistry(delivery, device, Number(device.user_known) === 1), flags };
  // Refused either way; which refusal needs the device's row under any user (every shard).
  const [other] = await q.all<DeviceRow>('SELECT id, user_id, bridge_id, key_hex, last_counter FROM devices WHERE id = $1', [record.device]);
  const userKnown = (await q.all('SELECT id FROM users WHERE id = $1', [record.user])).length === 1;
  return { device: checkRegistry(delivery, other, userKnown), flags };
}
