// Row and input types of the bridge's durable store. Kept apart from store.ts so the BLE side,
// the delivery loop and the CLI can import the shapes without pulling in SQLite.

import type { DayFields, Source } from '../../shared/record/index.ts';

export { SOURCES, type Source } from '../../shared/record/index.ts';

/** One local day of one device, as the sync engine read it from the watch: the record's day fields. */
export type DayInput = DayFields;

export interface DeviceRow {
  id: string;
  name: string | null;
  source: Source;
  firmware: string | null;
  /** ms since 1970 of the last committed sync, or null before the first. */
  lastSyncAt: number | null;
  /** Highest history seq committed (0 when none). */
  cursor: number;
  /** The config user owning the device, or null when it is not registered. */
  user: string | null;
  /** The watch's history epoch the cursor counts in (bushu firmware), null when not known. */
  epoch: number | null;
}

/** A history record the bridge keeps aside instead of storing it as a day (it failed the day-record contract). */
export interface QuarantineInput {
  seq: number;
  /** The date the record names, YYYY-MM-DD. */
  date: string;
  /** Its frames as received, hex. */
  raw: string;
  /** Why, e.g. "utcOffsetMin: must be an integer in -720..840". */
  reason: string;
}

export interface QuarantineRow extends QuarantineInput {
  id: number;
  device: string;
  epoch: number | null;
  /** ms since 1970 of the sync that received it. */
  quarantinedAt: number;
}

export interface DayRow extends DayInput {
  /** ms since 1970 when the bridge last read this day from the device. */
  syncedAt: number;
  /** Grows by one each time the stored totals change; the CLI shows it, delivery does not use it. */
  revision: number;
  /** The watch history epoch the stored record was read under (bushu firmware), null when not known. */
  epoch: number | null;
}

/**
 * pending: waiting or retrying; delivered: a 2xx was received; dead: refused for good, or out of
 * retry time (then still retried slowly, see OutboxRow.deadRetry), with the reason;
 * superseded: a newer version of the same service/device/date was queued after this one had
 * already been attempted, so only the newer one is still sent; dropped: removed by `bushu outbox drop`.
 */
export type OutboxState = 'pending' | 'delivered' | 'dead' | 'superseded' | 'dropped';

export interface OutboxRow {
  id: number;
  service: string;
  device: string;
  date: string;
  recordVersion: number;
  /** Idempotency-Key and webhook-id: bushu:<service>:<device>:<date>:<recordVersion>:<body digest> (outbox.ts deliveryKey). */
  key: string;
  /** The JSON day record, fixed when queued, so every retry of a key sends the same bytes. */
  body: string;
  state: OutboxState;
  /** Attempts started (counted before the request goes out, so a crash mid-request still counts). */
  attempts: number;
  /** Attempts since queued or since `bushu outbox retry`: the backoff's exponent. */
  attemptsInBudget: number;
  nextAt: number;
  createdAt: number;
  lastError: string | null;
  deliveredAt: number | null;
  /** The last HTTP status received (null: none yet, or the last attempt got no answer). */
  httpStatus: number | null;
  deadReason: string | null;
  /** ms since 1970 of the first failure since queued or since `bushu outbox retry`; the retry window starts there. */
  failingSince: number | null;
  lastAttemptAt: number | null;
  /** A dead letter that ran out of time (not refused): the loop still tries it every deadRetryHours. */
  deadRetry: boolean;
}

export interface StoreOptions {
  /** Names of the configured (enabled) services: every changed day is queued once for each. */
  services?: string[];
  /** device id → user name, from the config's users. */
  users?: Record<string, string>;
}
