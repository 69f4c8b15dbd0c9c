// The reward service's handling of one day record, in the delivery's transaction: lock the device row,
// decide whether the record replaces the stored version of its device-day (precedence.ts: a signed
// day yields only to a signed summary at least as new by the device's counter; recordVersion orders
// unsigned records only), check the summary counter fits the device's signing order, store the
// day, and credit the user-day's hongbao at most once. "At most once" is UNIQUE(date, user_id) on
// awards with ON CONFLICT DO NOTHING; the payout row is inserted in the same transaction, so an
// award never exists without its payout, whatever the retries, processes or devices.
import type { ServicesConfig } from '../config.ts';
import type { Dialect, Queryable } from '../db/types.ts';
import { HttpError } from '../http/router.ts';
import { precheckDay, type Delivery, type DeviceRow, type Ingest } from '../ingest.ts';
import type { Finding } from '../plausibility.ts';
import { localDayEndMs } from '../../shared/days.ts';
import type { DayRecord } from '../../shared/record/index.ts';
import { precedence } from './precedence.ts';
import { verifyRecordSummary, type Signed } from './trust.ts';

export type DayStatus = 'verified' | 'unsigned' | 'flagged';

export interface AwardView {
  id: number;
  date: string;
  amountFen: number;
  currency: string;
  /** True when this request created the award; false when it already existed. */
  created: boolean;
}

/** The shared checks (services/ingest.ts, which locks the device row), then the summary. Throws the 4xx. */
export async function precheck(q: Queryable, dialect: Dialect, config: ServicesConfig, delivery: Delivery, nowMs: number): Promise<{ device: DeviceRow; signed: Signed | null; flags: Finding[] }> {
  const { device, flags } = await precheckDay(q, dialect, config, delivery, nowMs, true);
  const { record } = delivery;
  const signed = record.summary === null ? null : verifyRecordSummary(record, device);
  return { device, signed, flags };
}

export type DayRow = { side: number; date: string; record_version: number; counter: number | null; closed: number | boolean; steps: number; epoch: number | null; key_id: string | null };
const DAY_COLUMNS = 'date, record_version, counter, closed, steps, epoch, key_id';
/** Where a day and its neighbours are looked up: SQL expressions for the device, its user, the date, and the signing sequence (key id, epoch). */
export interface DayAt {
  device: string;
  /** The device's user: every key holds it (migration 011), so the read stays on the user's shard. */
  user: string;
  date: string;
  keyId: string;
  epoch: string;
}

/**
 * The nearest signed day of the device on one side of the date in the signing sequence, by the
 * primary key: walked from the date outwards, stopping at the first match. The sequence condition
 * sits behind CASE, which PostgreSQL's planner does not try to estimate: estimated, it looked as if
 * almost no day matched (the planner cannot know that a device's days share its key), so it read
 * every day of the device and sorted them, 1.3 ms a delivery with a year stored instead of 0.02.
 */
const neighbour = (side: -1 | 1, at: DayAt) => `SELECT * FROM (SELECT ${side} AS side, ${DAY_COLUMNS} FROM reward_days r
  WHERE r.device_id = ${at.device} AND r.user_id = ${at.user} AND r.date ${side < 0 ? '<' : '>'} ${at.date} AND r.counter IS NOT NULL
    AND CASE WHEN COALESCE(r.key_id, ${at.keyId}) = ${at.keyId} AND COALESCE(r.epoch, -1) = COALESCE(${at.epoch}, -1) THEN TRUE ELSE FALSE END
  ORDER BY r.date ${side < 0 ? 'DESC' : 'ASC'} LIMIT 1) n${side < 0 ? 'b' : 'a'}`;
/** The stored version of the day (side 0), alone or with its signed neighbours (sides -1 and 1). */
const sameDay = (at: Pick<DayAt, 'device' | 'user' | 'date'>) => `SELECT 0 AS side, ${DAY_COLUMNS} FROM reward_days WHERE device_id = ${at.device} AND date = ${at.date} AND user_id = ${at.user}`;
export const dayAndNeighbours = (at: DayAt) => `${sameDay(at)} UNION ALL ${neighbour(-1, at)} UNION ALL ${neighbour(1, at)}`;
const SAME_DAY = sameDay({ device: '$1', date: '$2', user: '$3' });
/** The transactional path's read of one delivery's day and neighbours: device, date, user, key id, epoch. */
export const DAY_AND_NEIGHBOURS = dayAndNeighbours({ device: '$1', date: '$2', user: '$3', keyId: '$4', epoch: 'CAST($5 AS BIGINT)' });

/** What a delivery's decision reads: the device, its plausibility flags, its verified summary, and the stored version of its day with its signed neighbours (rows). */
export interface RewardReads {
  device: DeviceRow;
  flags: Finding[];
  signed: Signed | null;
  rows: DayRow[];
}

/** What the decision asks to write, and the answer without its award (which the writing may create). */
export interface RewardDecision {
  /** 'stale': nothing to store. Otherwise the day is stored under `status`. */
  stale: boolean;
  answer: { accepted: true; service: 'reward'; user: string; device: string; date: string; recordVersion: number; stored: boolean; stale: boolean; status: DayStatus | null; late: boolean; reasons: Array<{ rule: string; severity: string; detail: string }> };
  status: DayStatus;
  /** The device's last summary counter moves up to this one. */
  raisesCounter: boolean;
  /** The day earns its hongbao (credited unless the user-day has one already). */
  earns: boolean;
}

/**
 * The reward rules on what was read, with no database: precedence, the counter's place in the
 * device's signing order, status, reasons, lateness and whether the day earns. Throws the 409.
 */
export function decideRewardDay(config: ServicesConfig, record: DayRecord, nowMs: number, { device, flags, signed, rows }: RewardReads): RewardDecision {
  const counter = signed?.counter ?? null;
  const late = nowMs > localDayEndMs(record.date, record.utcOffsetMin) + config.reward.graceHours * 3_600_000;
  const status: DayStatus = flags.length > 0 ? 'flagged' : record.summary === null ? 'unsigned' : 'verified';
  const reasons: Array<{ rule: string; severity: string; detail: string }> = [...flags];
  if (status === 'unsigned') reasons.push({ rule: 'unsigned', severity: 'info', detail: 'no signed summary: stored, but unsigned days earn no hongbao' });
  if (!record.closed) reasons.push({ rule: 'provisional', severity: 'info', detail: 'the day is still open: stored and shown, its hongbao waits for the closed record' });
  if (late) reasons.push({ rule: 'grace_period', severity: 'info', detail: `arrived after the ${config.reward.graceHours} h grace period: stored, awards unchanged` });

  const existing = rows.find((r) => Number(r.side) === 0);
  const stored = existing === undefined ? undefined : {
    counter: existing.counter === null ? null : Number(existing.counter), recordVersion: Number(existing.record_version), closed: Number(existing.closed) === 1,
    steps: Number(existing.steps), epoch: existing.epoch === null ? null : Number(existing.epoch), keyId: existing.key_id,
  };
  const order = precedence(stored, { counter, recordVersion: record.recordVersion, closed: record.closed, steps: record.steps, epoch: signed?.epoch ?? null, keyId: signed?.keyId ?? null });
  if (order === 'older_signature') {
    throw new HttpError(409, 'summary_replayed', `summary counter ${counter} for ${record.date} is older than the stored summary's ${stored?.counter}, yet claims a newer recordVersion`);
  }
  // Every field spelled out: in Node 20's V8 an object spread followed by more properties takes
  // its slow path, about a microsecond a property, and every delivery builds this answer.
  const answer = (stored: boolean, stale: boolean, status: DayStatus | null, reasons: RewardDecision['answer']['reasons']): RewardDecision['answer'] =>
    ({ accepted: true, service: 'reward', user: record.user, device: record.device, date: record.date, recordVersion: record.recordVersion, stored, stale, status, late, reasons });
  if (order === 'stale') {
    // An equal or newer version (by the device's signature, or by recordVersion among unsigned
    // ones) is already stored: nothing to store, nothing to decide.
    return { stale: true, answer: answer(false, true, null, []), status, raisesCounter: false, earns: false };
  }
  if (signed !== null) {
    // The watch signs its days in the order they close, one counter each. So a genuine summary's
    // counter is above those of the device's earlier days, below those of its later days, and
    // not below an earlier summary of the same day. Anything else is a replay or a swap. This
    // (rather than "above the last one accepted") lets the bridge deliver days out of order,
    // e.g. when an old day's delivery is retried after a newer day went through. Only within
    // one signing sequence (precedence.ts sameSequence): a wiped watch counts again from 1
    // under a new epoch, which its summaries sign, and a re-keyed one under a new key. Every
    // accepted day passed this check, so a sequence's counters grow with its dates, and the
    // nearest day on each side is the only one that can clash.
    const clash = rows.find((r) => {
      if (r.counter === null) return false;
      const c = Number(r.counter);
      const side = Number(r.side);
      if (side === 0) return (r.key_id === null || r.key_id === signed.keyId) && (r.epoch === null ? null : Number(r.epoch)) === signed.epoch && c > signed.counter;
      return side < 0 ? c >= signed.counter : c <= signed.counter;
    });
    if (clash !== undefined) {
      throw new HttpError(409, 'summary_replayed', `summary counter ${counter} for ${record.date} conflicts with counter ${clash.counter} already accepted for ${clash.date}`);
    }
  }
  // Only a closed day earns: an open one is a provisional total, whose hours may still show a
  // shaker by the evening. Its closed flag is signed (summary version 3; earlier ones sign closed days only).
  return {
    stale: false,
    answer: answer(true, false, status, reasons),
    status,
    raisesCounter: signed !== null && (device.last_counter === null || signed.counter > device.last_counter),
    earns: status === 'verified' && record.closed && !late && record.steps >= config.reward.goalSteps,
  };
}

/** The reward service on the delivery's transaction (services/idempotency.ts idempotent): the device row locked, then one read, the decision and its writes. */
export const ingestRewardDay: Ingest = async (q, dialect, config, delivery, nowMs) => {
  const { device, signed, flags } = await precheck(q, dialect, config, delivery, nowMs);
  const { record } = delivery;
  // The stored day and, for a signed record, its nearest signed neighbours in the same signing
  // sequence: one statement. The device row is locked (precheck), and every writer of reward_days
  // takes that lock first, so these rows cannot change before we commit.
  const rows = signed === null
    ? await q.all<DayRow>(SAME_DAY, [record.device, record.date, record.user])
    : await q.all<DayRow>(DAY_AND_NEIGHBOURS, [record.device, record.date, record.user, signed.keyId, signed.epoch]);
  const decision = decideRewardDay(config, record, nowMs, { device, flags, signed, rows });
  if (decision.stale) return { status: 200, json: withAward(decision.answer, await findAward(q, record.user, record.date, config)) };
  if (decision.raisesCounter && dialect === 'sqlite') await q.run('UPDATE devices SET last_counter = $3 WHERE id = $1 AND user_id = $2', [record.device, record.user, signed!.counter]);
  // PostgreSQL raises the device's counter, and its revision (at-once.ts), in the day's statement (a data-modifying WITH): one round trip less.
  await storeDay(q, record, signed, decision.status, decision.answer.reasons, nowMs, dialect === 'postgres' ? { raiseCounter: decision.raisesCounter } : null);
  const award = decision.earns ? await credit(q, dialect, record, config, nowMs) : await findAward(q, record.user, record.date, config);
  return { status: 200, json: withAward(decision.answer, award) };
};

/** The answer with its award: Object.assign, as a spread followed by a property is slow in Node 20 (see decideRewardDay). */
export const withAward = <T extends object, A>(answer: T, award: A): Omit<T, 'award'> & { award: A } => Object.assign({}, answer, { award });

/** On PostgreSQL (`device` not null) the same statement bumps the device's revision (at-once.ts) and, when asked, raises its counter. */
async function storeDay(q: Queryable, r: DayRecord, signed: Signed | null, status: DayStatus, reasons: unknown[], nowMs: number, device: { raiseCounter: boolean } | null): Promise<void> {
  const touch = device === null ? '' : `WITH touched AS (UPDATE devices SET revision = revision + 1${device.raiseCounter ? ', last_counter = $11' : ''} WHERE id = $1 AND user_id = $3) `;
  await q.run(
    `${touch}INSERT INTO reward_days (${DAY_FIELDS}) VALUES (${DAY_FIELDS.split(', ').map((_, i) => `$${i + 1}`).join(', ')}) ${DAY_REPLACE}`,
    dayRow(r, signed, status, reasons, nowMs),
  );
}

/** A stored day's columns, in the order dayRow gives their values. */
export const DAY_FIELDS = 'device_id, date, user_id, record_version, source, utc_offset_min, steps, hours, not_worn, closed, counter, status, reasons, firmware, synced_at, received_at, key_id, epoch';
/** A stored day's newer version replaces every column but its key (device, date, user: migration 011). */
export const DAY_REPLACE = `ON CONFLICT (device_id, date, user_id) DO UPDATE SET ${DAY_FIELDS.split(', ').slice(3).map((c) => `${c} = excluded.${c}`).join(', ')}`;

/** The values of DAY_FIELDS for a record stored under `status`. */
export function dayRow(r: DayRecord, signed: Signed | null, status: DayStatus, reasons: unknown[], nowMs: number): unknown[] {
  return [r.device, r.date, r.user, r.recordVersion, r.source, r.utcOffsetMin, r.steps, r.hours === null ? null : JSON.stringify(r.hours),
    JSON.stringify(r.notWornHours), r.closed ? 1 : 0, signed?.counter ?? null, status, JSON.stringify(reasons), r.firmware, r.syncedAt, nowMs,
    signed?.keyId ?? null, signed?.epoch ?? null];
}

/** Insert the award and its payout; an award already there (an earlier delivery, another device) makes ours a no-op and we report it. */
async function credit(q: Queryable, dialect: Dialect, r: DayRecord, config: ServicesConfig, nowMs: number): Promise<AwardView | null> {
  const award = `INSERT INTO awards (user_id, date, device_id, steps, amount_fen, created_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (user_id, date) DO NOTHING RETURNING id`;
  const params = [r.user, r.date, r.device, r.steps, config.reward.amountFen, nowMs];
  // PostgreSQL inserts the payout in the same statement (a data-modifying WITH): one round trip less.
  const [row] = dialect === 'postgres'
    ? await q.all<{ id: number }>(
      `WITH a AS (${award}), p AS (INSERT INTO payouts (award_id, user_id, amount_fen, state, created_at) SELECT id, $1, $5, 'pending', $6 FROM a)
       SELECT id FROM a`,
      params,
    )
    : await q.all<{ id: number }>(award, params);
  if (row === undefined) return findAward(q, r.user, r.date, config);
  if (dialect === 'sqlite') {
    await q.run(`INSERT INTO payouts (award_id, user_id, amount_fen, state, created_at) VALUES ($1, $2, $3, 'pending', $4)`, [
      row.id, r.user, config.reward.amountFen, nowMs,
    ]);
  }
  return { id: Number(row.id), date: r.date, amountFen: config.reward.amountFen, currency: config.reward.currency, created: true };
}

async function findAward(q: Queryable, user: string, date: string, config: ServicesConfig): Promise<AwardView | null> {
  const [a] = await q.all<{ id: number; amount_fen: number }>('SELECT id, amount_fen FROM awards WHERE user_id = $1 AND date = $2', [user, date]);
  return a === undefined ? null : { id: Number(a.id), date, amountFen: Number(a.amount_fen), currency: config.reward.currency, created: false };
}
