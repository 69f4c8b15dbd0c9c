// The bridge's durable store: SQLite through better-sqlite3, in WAL mode. Everything a sync
// produces (days, outbox rows, cursor) is written in one transaction by commitSync, which the
// sync engine calls BEFORE it sends ACK to the watch: once the watch may forget a record, the
// bridge has it on disk together with the deliveries it owes. See docs/bridge.md.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Outbox, type Answer } from './outbox.ts';
import { checkDay, checkDeviceId, dayRecordBody, DayInputError, sameTotals } from './record.ts';
import { migrate } from './schema.ts';
import { isSource, SOURCE_RULE } from '../../shared/record/index.ts';
import type { DayInput, DayRow, DeviceRow, OutboxRow, OutboxState, QuarantineInput, QuarantineRow, Source, StoreOptions } from './types.ts';

export * from './types.ts';
export { DayInputError } from './record.ts';
export { SchemaError } from './schema.ts';

export class StoreError extends Error {}

interface RawDay {
  device: string;
  date: string;
  utc_offset_min: number;
  steps: number;
  hours: string | null;
  not_worn_hours: string;
  closed: number;
  source: Source;
  summary: string | null;
  firmware: string | null;
  synced_at: number;
  revision: number;
  epoch: number | null;
}

function toDay(r: RawDay): DayRow {
  return {
    device: r.device,
    date: r.date,
    utcOffsetMin: r.utc_offset_min,
    steps: r.steps,
    hours: r.hours === null ? null : (JSON.parse(r.hours) as number[]),
    notWornHours: JSON.parse(r.not_worn_hours) as number[],
    closed: r.closed === 1,
    source: r.source,
    summary: r.summary === null ? null : (JSON.parse(r.summary) as DayRow['summary']),
    firmware: r.firmware,
    syncedAt: r.synced_at,
    revision: r.revision,
    epoch: r.epoch,
  };
}

/**
 * Whether an incoming record of a date replaces the stored one. Within one watch history (or when
 * either history is unknown) the newer record wins, except that an open record never reopens a
 * closed day. Records of two histories of one watch (it was wiped that day, docs/day-record.md)
 * each count only their own history's steps: the one with more steps is kept (on a tie, a closed
 * one over an open one), so the day never drops to the few steps counted after a wipe and an
 * undelivered closed total of the old history is never overwritten by them.
 */
export function supersedes(old: DayRow, d: DayInput, epoch: number | null): boolean {
  if (sameTotals(old, d)) return false;
  if (old.epoch !== null && epoch !== null && old.epoch !== epoch) return d.steps > old.steps || (d.steps === old.steps && d.closed && !old.closed);
  return !(old.closed && !d.closed);
}

export class Store {
  private services: string[] = [];
  private users: Record<string, string> = {};
  private readonly box: Outbox;

  private constructor(private readonly db: Database.Database) {
    this.box = new Outbox(db);
  }

  /** Opens (creating directories and file) and migrates. ':memory:' gives a throwaway store. */
  static open(path: string, options: StoreOptions = {}): Store {
    let db: Database.Database;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      // WAL: readers (bushu status) never block the syncing bridge. synchronous=FULL: a commit
      // that returned is on disk even after a power cut, since the watch is told it may forget.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db);
    } catch (e) {
      throw new StoreError(`cannot open database ${path}: ${(e as Error).message}`);
    }
    const store = new Store(db);
    store.configure(options);
    return store;
  }

  /**
   * Services and users come from the config; a service added later gets rows for new changes.
   * A config that maps devices to users is remembered in the database; one that maps none (no
   * config file, or `--db` on another bridge's store) reads the mapping last remembered.
   */
  configure(options: StoreOptions): void {
    if (options.services !== undefined) this.services = [...options.services];
    if (options.users !== undefined && Object.keys(options.users).length > 0) {
      this.users = { ...options.users };
      const users = this.users;
      this.db.transaction(() => {
        this.db.prepare('DELETE FROM device_users').run();
        const insert = this.db.prepare('INSERT INTO device_users (device, user_id) VALUES (?, ?)');
        for (const [device, user] of Object.entries(users)) insert.run(device, user);
      })();
    } else {
      const rows = this.db.prepare('SELECT device, user_id FROM device_users').all() as { device: string; user_id: string }[];
      this.users = Object.fromEntries(rows.map((r) => [r.device, r.user_id]));
    }
  }

  close(): void {
    this.db.close();
  }

  /** The journal mode SQLite reports ('wal' for files, 'memory' for ':memory:'). */
  journalMode(): string {
    return this.db.pragma('journal_mode', { simple: true }) as string;
  }

  upsertDevice(d: { id: string; name?: string; source: Source; firmware?: string | null }): void {
    checkDeviceId(d.id, 'device.id');
    if (!isSource(d.source)) throw new DayInputError(`device.source: ${SOURCE_RULE}`);
    this.db
      .prepare(
        `INSERT INTO devices (id, name, source, firmware) VALUES (@id, @name, @source, @firmware)
         ON CONFLICT (id) DO UPDATE SET name = COALESCE(@name, name), source = @source, firmware = COALESCE(@firmware, firmware)`,
      )
      .run({ id: d.id, name: d.name ?? null, source: d.source, firmware: d.firmware ?? null });
  }

  devices(): DeviceRow[] {
    const rows = this.db.prepare('SELECT * FROM devices ORDER BY id').all() as {
      id: string; name: string | null; source: Source; firmware: string | null; last_sync_at: number | null; cursor: number; epoch: number | null;
    }[];
    return rows.map((r) => ({
      id: r.id, name: r.name, source: r.source, firmware: r.firmware, lastSyncAt: r.last_sync_at, cursor: r.cursor, user: this.users[r.id] ?? null, epoch: r.epoch,
    }));
  }

  cursor(device: string): number {
    const r = this.db.prepare('SELECT cursor FROM devices WHERE id = ?').get(device) as { cursor: number } | undefined;
    return r?.cursor ?? 0;
  }

  /** The watch history epoch the device's cursor counts in, null when not known. */
  epoch(device: string): number | null {
    const r = this.db.prepare('SELECT epoch FROM devices WHERE id = ?').get(device) as { epoch: number | null } | undefined;
    return r?.epoch ?? null;
  }

  /**
   * Records the device's history epoch; `restartCursor` sets its cursor back to 0 in the same
   * write (a new history, whose seqs start again at 1). Days already stored stay.
   */
  setEpoch(device: string, epoch: number, restartCursor: boolean): void {
    checkDeviceId(device, 'device');
    if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffffffff) throw new DayInputError(`epoch: must be a u32, got ${epoch}`);
    const r = this.db.prepare(`UPDATE devices SET epoch = ?, cursor = CASE WHEN ? THEN 0 ELSE cursor END WHERE id = ?`).run(epoch, restartCursor ? 1 : 0, device);
    if (r.changes === 0) throw new StoreError(`unknown device ${device}`);
  }

  /** Quarantined records, oldest first. */
  quarantined(): QuarantineRow[] {
    const rows = this.db.prepare('SELECT * FROM quarantine ORDER BY id').all() as {
      id: number; device: string; epoch: number | null; seq: number; date: string; raw: string; reason: string; quarantined_at: number;
    }[];
    return rows.map((r) => ({ id: r.id, device: r.device, epoch: r.epoch, seq: r.seq, date: r.date, raw: r.raw, reason: r.reason, quarantinedAt: r.quarantined_at }));
  }

  /**
   * One transaction: store the days that changed, queue a version of each for every configured
   * service, advance the cursor (never backwards) and set lastSyncAt. Days are applied in order,
   * so a later record of the same date wins (the open day's newer totals supersede the older,
   * the closed record supersedes them all); a closed day is never reopened by an open record.
   * `epoch` is the watch history the days were read from (null: not known): a record of another
   * history than the stored day's replaces it only with more steps (see `supersedes`).
   * `quarantined` records are kept aside in the same transaction (once: a re-sent one is not
   * added again), so a cursor past them is only ever committed together with them.
   */
  commitSync(
    device: string, days: DayInput[], cursor: number | null, syncedAt: number, quarantined: QuarantineInput[] = [], epoch: number | null = null,
  ): { changedDays: number; queued: number } {
    checkDeviceId(device, 'device');
    days.forEach((d, i) => {
      checkDay(d, `days[${i}]`);
      if (d.device !== device) throw new DayInputError(`days[${i}].device: ${d.device} is not the syncing device ${device}`);
    });
    if (cursor !== null && (!Number.isSafeInteger(cursor) || cursor < 0)) throw new DayInputError(`cursor: must be a non-negative integer or null, got ${cursor}`);
    if (!Number.isFinite(syncedAt)) throw new DayInputError(`syncedAt: must be ms since 1970, got ${syncedAt}`);
    quarantined.forEach((q, i) => {
      if (!Number.isSafeInteger(q.seq) || q.seq < 0) throw new DayInputError(`quarantined[${i}].seq: must be a non-negative integer, got ${q.seq}`);
      if (![q.date, q.raw, q.reason].every((s) => typeof s === 'string' && s.length > 0)) throw new DayInputError(`quarantined[${i}]: date, raw and reason must be non-empty strings`);
    });

    return this.db.transaction(() => {
      this.db.prepare('INSERT INTO devices (id, source) VALUES (?, ?) ON CONFLICT (id) DO NOTHING').run(device, days[0]?.source ?? 'bushu');
      const touched = new Set<string>();
      let queued = 0;
      for (const d of days) {
        const old = this.day(device, d.date);
        if (old !== undefined && !supersedes(old, d, epoch)) continue;
        this.writeDay(d, syncedAt, (old?.revision ?? 0) + 1, epoch);
        touched.add(d.date);
      }
      // Queue after all days are applied, so several records of one date in one sync give one version.
      for (const date of touched) {
        const day = this.day(device, date)!;
        const user = this.users[device] ?? device;
        for (const service of this.services) {
          this.box.enqueue(service, device, date, (v) => dayRecordBody(day, user, v, syncedAt), syncedAt);
          queued++;
        }
      }
      const keep = this.db.prepare(
        `INSERT INTO quarantine (device, epoch, seq, date, raw, reason, quarantined_at)
         VALUES (?, (SELECT epoch FROM devices WHERE id = ?), ?, ?, ?, ?, ?) ON CONFLICT (device, raw) DO NOTHING`,
      );
      for (const q of quarantined) keep.run(device, device, q.seq, q.date, q.raw, q.reason, syncedAt);
      const firmware = days.length > 0 ? days[days.length - 1].firmware : null;
      this.db
        .prepare('UPDATE devices SET cursor = MAX(cursor, ?), last_sync_at = ?, firmware = COALESCE(?, firmware) WHERE id = ?')
        .run(cursor ?? 0, syncedAt, firmware, device);
      return { changedDays: touched.size, queued };
    })();
  }

  private writeDay(d: DayInput, syncedAt: number, revision: number, epoch: number | null): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO days (device, date, utc_offset_min, steps, hours, not_worn_hours, closed, source, summary, firmware, synced_at, revision, epoch)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(d.device, d.date, d.utcOffsetMin, d.steps, d.hours === null ? null : JSON.stringify(d.hours), JSON.stringify(d.notWornHours),
        d.closed ? 1 : 0, d.source, d.summary === null ? null : JSON.stringify(d.summary), d.firmware, syncedAt, revision, epoch);
  }

  day(device: string, date: string): DayRow | undefined {
    const r = this.db.prepare('SELECT * FROM days WHERE device = ? AND date = ?').get(device, date) as RawDay | undefined;
    return r && toDay(r);
  }

  /** Stored days, by date then device; dates are inclusive YYYY-MM-DD bounds. */
  days(filter: { from?: string; to?: string; devices?: string[] } = {}): DayRow[] {
    const rows = this.db
      .prepare('SELECT * FROM days WHERE date >= ? AND date <= ? ORDER BY date, device')
      .all(filter.from ?? '0000-00-00', filter.to ?? '9999-99-99') as RawDay[];
    const only = filter.devices && new Set(filter.devices);
    return rows.filter((r) => !only || only.has(r.device)).map(toDay);
  }

  /** The users known: the config's, plus each unregistered device standing for itself. */
  userNames(): string[] {
    const names = new Set(Object.values(this.users));
    for (const d of this.devices()) if (d.user === null) names.add(d.id);
    return [...names].sort();
  }

  /**
   * A user's daily steps under the multi-wearable rule: the MAXIMUM over the user's devices,
   * never a sum, since two wearables on one person count the same walk twice. The device that
   * gave the maximum is named (lowest id on a tie).
   */
  userDays(user: string, from?: string, to?: string): { date: string; steps: number; device: string }[] {
    const mine = Object.keys(this.users).filter((d) => this.users[d] === user);
    if (mine.length === 0 && this.devices().some((d) => d.id === user && d.user === null)) mine.push(user);
    if (mine.length === 0) throw new StoreError(`unknown user ${JSON.stringify(user)}`);
    const best = new Map<string, { date: string; steps: number; device: string }>();
    for (const d of this.days({ from, to, devices: mine })) {
      const cur = best.get(d.date);
      if (cur === undefined || d.steps > cur.steps) best.set(d.date, { date: d.date, steps: d.steps, device: d.device });
    }
    return [...best.values()];
  }

  dueDeliveries(now: number, limit: number, services?: string[]): OutboxRow[] {
    return this.box.due(now, limit, services);
  }
  nextDueAfter(now: number): number | undefined {
    return this.box.nextDueAfter(now);
  }
  beginAttempt(id: number, at?: number): OutboxRow | undefined {
    return this.box.beginAttempt(id, at);
  }
  markDelivered(id: number, status: number, at: number): void {
    this.box.markDelivered(id, status, at);
  }
  markRetry(id: number, nextAt: number, error: string, answer?: Answer): void {
    this.box.markRetry(id, nextAt, error, answer);
  }
  deadLetter(id: number, reason: string, answer?: Answer & { retryAt: number | null }): void {
    this.box.deadLetter(id, reason, answer);
  }
  outbox(filter: { state?: OutboxState } = {}): OutboxRow[] {
    return this.box.list(filter.state);
  }
  outboxRow(id: number): OutboxRow | undefined {
    return this.box.get(id);
  }
  outboxCounts(): Record<OutboxState, number> {
    return this.box.counts();
  }
  retryDead(id: number | 'all'): number {
    return this.box.retryDead(id);
  }
  drop(id: number): boolean {
    return this.box.drop(id);
  }
}
