// The social (WeRun-style) service's handling of one day record. It trusts the bridge's webhook
// signature and does not need a device key: unsigned days count on the leaderboard. It makes the
// same registry and date checks as the reward service (services/ingest.ts), so a bridge can only
// report days of the registered devices it serves, for their own users, and no day to come.
// Flagged days are stored but left out of rankings. A day's versions are ordered as at the reward
// service (reward/precedence.ts): by the watch's summary counter, then by recordVersion, and for
// the day a watch was wiped on (two history epochs, as its version 3 summaries name them) the
// version with more steps (docs/day-record.md, "A watch wiped during a day"). Counter and epoch are
// not verified here (this service trusts the bridge), but they are the device's own order:
// recordVersion is the bridge's, and a reinstalled bridge numbers a day's versions from 1 again.
import { decodeSummaryMessage } from '../../shared/protocol/summary-verify.ts';
import type { DayRecord } from '../../shared/record/index.ts';
import { forUpdate } from '../db/types.ts';
import type { Response } from '../http/router.ts';
import { precheckDay, type Ingest } from '../ingest.ts';
import { precedence } from '../reward/precedence.ts';

export const ingestSocialDay: Ingest = async (q, dialect, config, delivery, nowMs) => {
  const { flags: findings } = await precheckDay(q, dialect, config, delivery, nowMs, false);
  const { record } = delivery;
  const status = findings.length > 0 ? 'flagged' : 'counted';

  const { counter, epoch } = summaryFields(record);
  // The stored version under the day's key (device, date, user: migration 011), on the user's
  // shard. Another user's day of this device cannot be stored: precheckDay refused the record
  // unless the device is registered to its user, and a device never changes users.
  const [existing] = await q.all<{ record_version: number; steps: number; epoch: number | null; counter: number | null }>(
    `SELECT record_version, steps, epoch, counter FROM social_days WHERE device_id = $1 AND date = $2 AND user_id = $3${forUpdate({ dialect })}`,
    [record.device, record.date, record.user],
  );
  // No key is verified here (keyId null): signing sequences differ by epoch only. Whether the
  // stored version was closed is not kept: taken as open, so within one counter the version with
  // more steps wins, which is the closed one (a day's steps only grow).
  const stored = existing === undefined ? undefined : {
    counter: existing.counter === null ? null : Number(existing.counter), recordVersion: Number(existing.record_version),
    closed: false, steps: Number(existing.steps), epoch: existing.epoch === null ? null : Number(existing.epoch), keyId: null,
  };
  // An older summary claiming a newer recordVersion is refused at the reward service; here it is only stale.
  const stale = precedence(stored, { counter, recordVersion: record.recordVersion, closed: record.closed, steps: record.steps, epoch, keyId: null }) !== 'replace';
  if (!stale) {
    await q.run(
      `INSERT INTO social_days (device_id, date, user_id, record_version, source, utc_offset_min, steps, hours, status, reasons,
         firmware, synced_at, received_at, counter, epoch)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (device_id, date, user_id) DO UPDATE SET record_version = excluded.record_version, counter = excluded.counter, epoch = excluded.epoch,
         source = excluded.source, utc_offset_min = excluded.utc_offset_min, steps = excluded.steps, hours = excluded.hours, status = excluded.status,
         reasons = excluded.reasons, firmware = excluded.firmware, synced_at = excluded.synced_at, received_at = excluded.received_at`,
      [record.device, record.date, record.user, record.recordVersion, record.source, record.utcOffsetMin, record.steps,
        record.hours === null ? null : JSON.stringify(record.hours), status, JSON.stringify(findings), record.firmware, record.syncedAt, nowMs, counter, epoch],
    );
  }
  const response: Response = {
    status: 200,
    json: {
      accepted: true, service: 'social', user: record.user, device: record.device, date: record.date, recordVersion: record.recordVersion,
      stored: !stale, stale, status: stale ? null : status, reasons: stale ? [] : findings,
    },
  };
  return response;
};

/** The counter and history epoch of the record's summary as sent (nulls: unsigned, a message that does not parse, or no epoch before version 3). */
function summaryFields(record: DayRecord): { counter: number | null; epoch: number | null } {
  if (record.summary === null) return { counter: null, epoch: null };
  const m = decodeSummaryMessage(Buffer.from(record.summary.message, 'hex'));
  return m.ok ? { counter: m.value.counter, epoch: m.value.epoch } : { counter: null, epoch: null };
}
