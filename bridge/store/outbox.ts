// The outbox table: one row per (service, device, date, recordVersion). Rows are queued inside
// Store.commitSync's transaction and moved through their states by the delivery loop.
import type { Database, Statement } from 'better-sqlite3';
import { idempotencyKey } from '../../shared/webhook.ts';
import { sha256Hex } from '../../shared/sha256.ts';
import type { OutboxRow, OutboxState } from './types.ts';

interface RawRow {
  id: number;
  service: string;
  device: string;
  date: string;
  record_version: number;
  key: string;
  body: string;
  state: OutboxState;
  attempts: number;
  attempt_base: number;
  next_at: number;
  created_at: number;
  last_error: string | null;
  delivered_at: number | null;
  http_status: number | null;
  dead_reason: string | null;
  failing_since: number | null;
  last_attempt_at: number | null;
  dead_retry: number;
}

/**
 * The Idempotency-Key (and webhook-id) of a row: `bushu:<service>:<device>:<date>:<version>:<digest>`,
 * digest = the first 16 hex digits of the SHA-256 of the body. Versions restart at 1 in a new
 * bridge database (a reinstall), so the version alone would name a different body than the one
 * a service stored under it (422 "key reused with a different body", forever). With the digest,
 * equal keys mean equal bytes: a service either replays its answer or has never seen the key.
 */
export function deliveryKey(service: string, device: string, date: string, version: number, body: string): string {
  return idempotencyKey(service, device, date, version) + ':' + sha256Hex(body).slice(0, 16);
}

/** A row the delivery loop may send: pending, or dead after running out of time (retried slowly). */
const SENDABLE = "(state = 'pending' OR (state = 'dead' AND dead_retry = 1))";

function toRow(r: RawRow): OutboxRow {
  return {
    id: r.id,
    service: r.service,
    device: r.device,
    date: r.date,
    recordVersion: r.record_version,
    key: r.key,
    body: r.body,
    state: r.state,
    attempts: r.attempts,
    attemptsInBudget: r.attempts - r.attempt_base,
    nextAt: r.next_at,
    createdAt: r.created_at,
    lastError: r.last_error,
    deliveredAt: r.delivered_at,
    httpStatus: r.http_status,
    deadReason: r.dead_reason,
    failingSince: r.failing_since,
    lastAttemptAt: r.last_attempt_at,
    deadRetry: r.dead_retry === 1,
  };
}

/** When an attempt failed and the HTTP status it got (null: no answer at all). */
export interface Answer {
  at: number;
  status: number | null;
}

export class Outbox {
  private readonly q: Record<string, Statement>;

  constructor(private readonly db: Database) {
    const s = (sql: string) => db.prepare(sql);
    this.q = {
      lastOfDay: s('SELECT * FROM outbox WHERE service = ? AND device = ? AND date = ? ORDER BY record_version DESC LIMIT 1'),
      replace: s("UPDATE outbox SET key = ?, body = ?, next_at = ? WHERE id = ? AND state = 'pending' AND attempts = 0"),
      // A slowly retried dead letter of the day is overtaken too: only the newest version is sent.
      supersede: s(`UPDATE outbox SET state = 'superseded' WHERE service = ? AND device = ? AND date = ? AND ${SENDABLE}`),
      insert: s(`INSERT INTO outbox (service, device, date, record_version, key, body, state, next_at, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`),
      get: s('SELECT * FROM outbox WHERE id = ?'),
      begin: s(`UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ? WHERE id = ? AND ${SENDABLE}`),
      delivered: s(`UPDATE outbox SET state = 'delivered', delivered_at = ?, http_status = ?, last_error = NULL, dead_reason = NULL, dead_retry = 0
                 WHERE id = ? AND (state = 'superseded' OR ${SENDABLE})`),
      // failing_since keeps the first failure: the retry window is measured from it.
      retry: s(`UPDATE outbox SET next_at = @nextAt, last_error = @error, http_status = @status, failing_since = COALESCE(failing_since, @at)
                 WHERE id = @id AND ${SENDABLE}`),
      dead: s(`UPDATE outbox SET state = 'dead', dead_reason = @reason, last_error = @error, http_status = @status,
                 dead_retry = @retry, next_at = COALESCE(@retryAt, next_at), failing_since = COALESCE(failing_since, @at)
                 WHERE id = @id AND ${SENDABLE}`),
      // attempts is never reset: a key that was ever sent must never get a rewritten body.
      undead: s(`UPDATE outbox SET state = 'pending', attempt_base = attempts, next_at = 0, dead_reason = NULL, dead_retry = 0, failing_since = NULL
                 WHERE state = 'dead' AND (id = @id OR @id IS NULL)`),
      // Reviving an old version behind a newer one would only make a service step backwards.
      staleDead: s(`UPDATE outbox SET state = 'superseded' WHERE state = 'dead' AND (id = @id OR @id IS NULL) AND EXISTS (
                 SELECT 1 FROM outbox n WHERE n.service = outbox.service AND n.device = outbox.device AND n.date = outbox.date
                 AND n.record_version > outbox.record_version)`),
      drop: s("UPDATE outbox SET state = 'dropped' WHERE id = ? AND state IN ('pending','dead')"),
      nextAfter: s(`SELECT MIN(next_at) AS t FROM outbox WHERE ${SENDABLE} AND next_at > ?`),
    };
  }

  /**
   * Queue `body` (built by the caller for `version`) for one service/device/date. Coalescing: a
   * pending row nobody has tried to send yet is simply rewritten, keeping its version, since no
   * service can have seen its key. A pending row that was already attempted may have reached the
   * service, so its key is frozen: it is superseded and a new version is added. Returns the version used.
   */
  enqueue(service: string, device: string, date: string, makeBody: (version: number) => string, now: number): number {
    const last = this.q.lastOfDay.get(service, device, date) as RawRow | undefined;
    if (last !== undefined && last.state === 'pending' && last.attempts === 0) {
      const body = makeBody(last.record_version);
      this.q.replace.run(deliveryKey(service, device, date, last.record_version, body), body, now, last.id);
      return last.record_version;
    }
    const version = (last?.record_version ?? 0) + 1;
    this.q.supersede.run(service, device, date);
    const body = makeBody(version);
    this.q.insert.run(service, device, date, version, deliveryKey(service, device, date, version, body), body, now, now);
    return version;
  }

  /**
   * Rows to send at `now`, oldest first: pending ones, and dead letters that ran out of time and
   * are retried slowly. `services` limits them to the configured ones.
   */
  due(now: number, limit: number, services?: string[]): OutboxRow[] {
    const only = services === undefined ? '' : `AND service IN (${services.map(() => '?').join(',') || "''"})`;
    const sql = `SELECT * FROM outbox WHERE ${SENDABLE} AND next_at <= ? ${only} ORDER BY next_at, id LIMIT ?`;
    return (this.db.prepare(sql).all(now, ...(services ?? []), limit) as RawRow[]).map(toRow);
  }

  /** The earliest retry time still in the future, for the delivery loop's timer. */
  nextDueAfter(now: number): number | undefined {
    const r = this.q.nextAfter.get(now) as { t: number | null };
    return r.t ?? undefined;
  }

  get(id: number): OutboxRow | undefined {
    const r = this.q.get.get(id) as RawRow | undefined;
    return r && toRow(r);
  }

  /**
   * Count an attempt, durably, before the request is sent; returns the row as it is now, or
   * undefined when it is no longer to be sent. From here on the row's key and body are frozen.
   */
  beginAttempt(id: number, at: number = Date.now()): OutboxRow | undefined {
    if (this.q.begin.run(at, id).changes === 0) return undefined;
    return this.get(id);
  }

  /** A superseded row that still got its 2xx is recorded as delivered: the service has it. */
  markDelivered(id: number, status: number, at: number): void {
    this.q.delivered.run(at, status, id);
  }

  /** A failed attempt to repeat at `nextAt`; `answer` is when it failed and the HTTP status (null: no answer). */
  markRetry(id: number, nextAt: number, error: string, answer: Answer = { at: Date.now(), status: null }): void {
    this.q.retry.run({ id, nextAt, error, status: answer.status, at: answer.at });
  }

  /**
   * Dead-letter a row with its reason. `retryAt` null (the default): refused, only `bushu outbox
   * retry` sends it again; a time: it ran out of time and the loop tries it again then (and on).
   */
  deadLetter(id: number, reason: string, answer: Answer & { retryAt: number | null } = { at: Date.now(), status: null, retryAt: null }): void {
    this.q.dead.run({ id, reason, error: reason, status: answer.status, at: answer.at, retry: answer.retryAt === null ? 0 : 1, retryAt: answer.retryAt });
  }

  list(state?: OutboxState): OutboxRow[] {
    const rows = state === undefined ? this.db.prepare('SELECT * FROM outbox ORDER BY id').all() : this.db.prepare('SELECT * FROM outbox WHERE state = ? ORDER BY id').all(state);
    return (rows as RawRow[]).map(toRow);
  }

  counts(): Record<OutboxState, number> {
    const out: Record<OutboxState, number> = { pending: 0, delivered: 0, dead: 0, superseded: 0, dropped: 0 };
    for (const r of this.db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as { state: OutboxState; n: number }[]) out[r.state] = r.n;
    return out;
  }

  /**
   * Dead rows back to pending with a fresh attempt budget, due at once: same key, same body.
   * A dead row with a newer version behind it is superseded instead (returns only rows revived).
   */
  retryDead(id: number | 'all'): number {
    const arg = { id: id === 'all' ? null : id };
    return this.db.transaction(() => {
      this.q.staleDead.run(arg);
      return this.q.undead.run(arg).changes;
    })();
  }

  /** Stop a pending or dead row for good. The row is kept (state dropped) so its version is never reused. */
  drop(id: number): boolean {
    return this.q.drop.run(id).changes > 0;
  }
}
