// The social (WeRun-style) service's handling of one day record. It trusts the bridge's webhook
// signature and does not need a device key: unsigned days count on the leaderboard. It makes the
// same registry and date checks as the reward service (services/ingest.ts), so a bridge can only
// report days of the registered devices it serves, for their own users, and no day to come.
// Flagged days are stored but left out of rankings. Newest recordVersion per device-day wins, but
// for the day a watch was wiped on (two history epochs, as its version 3 summaries name them) the
// version with more steps: docs/day-record.md, "A watch wiped during a day".
import { decodeSummaryMessage } from '../../shared/protocol/summary-verify.ts';
import type { DayRecord } from '../../shared/record/index.ts';
import { forUpdate } from '../db/types.ts';
import { HttpError, type Response } from '../http/router.ts';
import { precheckDay, type Ingest } from '../ingest.ts';

export const ingestSocialDay: Ingest = async (q, dialect, config, delivery, nowMs) => {
  const { flags: findings } = await precheckDay(q, dialect, config, delivery, nowMs, false);
  const { record } = delivery;
  const status = findings.length > 0 ? 'flagged' : 'counted';

  const epoch = summaryEpoch(record);
  const [existing] = await q.all<{ record_version: number; user_id: string; steps: number; epoch: number | null }>(
    `SELECT record_version, user_id, steps, epoch FROM social_days WHERE device_id = $1 AND date = $2${forUpdate({ dialect })}`,
    [record.device, record.date],
  );
  if (existing !== undefined && existing.user_id !== record.user) {
    throw new HttpError(422, 'device_user_mismatch', `device ${record.device} already reported this day for another user`);
  }
  const otherHistory = existing !== undefined && existing.epoch !== null && epoch !== null && Number(existing.epoch) !== epoch;
  const stale = existing !== undefined && (otherHistory ? record.steps <= Number(existing.steps) : Number(existing.record_version) >= record.recordVersion);
  if (!stale) {
    await q.run(
      `INSERT INTO social_days (device_id, date, user_id, record_version, source, utc_offset_min, steps, hours, status, reasons,
         firmware, synced_at, received_at, epoch)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (device_id, date) DO UPDATE SET record_version = excluded.record_version, source = excluded.source,
         utc_offset_min = excluded.utc_offset_min, steps = excluded.steps, hours = excluded.hours, status = excluded.status,
         reasons = excluded.reasons, firmware = excluded.firmware, synced_at = excluded.synced_at, received_at = excluded.received_at,
         epoch = excluded.epoch`,
      [record.device, record.date, record.user, record.recordVersion, record.source, record.utcOffsetMin, record.steps,
        record.hours === null ? null : JSON.stringify(record.hours), status, JSON.stringify(findings), record.firmware, record.syncedAt, nowMs, epoch],
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

/** The history epoch a version 3 summary names, unverified (this service checks no summary); else null. */
function summaryEpoch(record: DayRecord): number | null {
  if (record.summary === null) return null;
  const m = decodeSummaryMessage(Buffer.from(record.summary.message, 'hex'));
  return m.ok ? m.value.epoch : null;
}
