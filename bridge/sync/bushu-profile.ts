// Sync of a watch running bushu firmware, over one discovered connection:
//   read Info → write Local Time Info, Current Time → read Today → a new history epoch restarts
//   the cursor → subscribe Status and History → SEND_OPEN cursor+1 (SEND_FROM for firmware that
//   answers UNKNOWN_OPCODE) → frames until End, the open day last, verified →
//   records checked against the day-record contract → store.commitSync (one transaction: the
//   sound days, and the unsound records in quarantine) → ACK last seq.
// A record the watch sent intact (the End check holds) but that no service could accept (an
// offset past +14 h, hours that do not add up) is quarantined rather than failing the transfer:
// retrying would bring the same bytes back forever, and every record after it would wait.
// ACK goes out only after the commit, so a crash between the two re-sends records the store
// already has (harmless: the store skips unchanged days) and never loses any.
// A bad payload is counted and logged, the transfer is aborted and started again from the
// stored cursor, a bounded number of times; nothing of a failed transfer is committed.

import { Observable } from 'rxjs';
import {
  NOBLE_UUID as N, Opcode, StatusTarget, StatusCode, toHex, decodeInfo, decodeStatus, decodeToday, encodeAbort, encodeAck, encodeSendFrom, encodeSendOpen, type Status, type Today,
} from '../../shared/protocol/index.ts';
import type { Link } from '../ble/central.ts';
import type { DayInput, QuarantineInput } from '../store/types.ts';
import { dateString } from '../../shared/days.ts';
import { dayProblems } from '../../shared/record/index.ts';
import { HistoryCollector, type Collected } from './history-collector.ts';
import { toDayInputs } from './day-input.ts';
import { writeTime } from './time-sync.ts';
import { BadPayloadError, type SyncContext, type SyncResult } from './types.ts';

/** `link` must be discovered already (syncDevice does it to pick the profile). */
export async function syncBushu(link: Link, ctx: SyncContext, name?: string): Promise<SyncResult> {
  const info = decoded(decodeInfo(await readInfo(link)), ctx);
  const device = info.deviceId;
  const firmware = info.firmware.join('.');
  const log = ctx.log.child({ device });
  const status$ = await link.subscribe(N.SERVICE, N.STATUS);
  const statuses = new StatusWaiter(status$, ctx, log);
  try {
    if (await writeTime(link, ctx.clock, ctx.clockCheck)) ctx.metrics.timeWrites++;
    else log.info('host clock not yet checked against a service: the watch keeps its own time');
    const today = decoded(decodeToday(await link.read(N.SERVICE, N.TODAY)), ctx);
    ctx.store.upsertDevice({ id: device, name, source: 'bushu', firmware });
    followEpoch(device, info.epoch, today.seq, ctx, log);
    const history$ = await link.subscribe(N.SERVICE, N.HISTORY);
    const max = ctx.maxRestarts ?? 3;
    // Firmware before the open day answers SEND_OPEN with UNKNOWN_OPCODE: then SEND_FROM, and
    // today's total from the Today read.
    let open = true;
    for (let attempt = 0; ; attempt++) {
      const cursor = ctx.store.cursor(device);
      if (today.seq < cursor && info.epoch === null) log.warn({ watchSeq: today.seq, cursor }, 'the watch holds fewer records than the cursor: its history was reset; syncing only newer seqs');
      const got = await transfer(link, history$, statuses, cursor + 1, Math.max(0, today.seq - cursor), device, ctx, open);
      if (got.ok) {
        const records = got.open ? [...got.records, got.open] : got.records;
        return await commit(link, device, firmware, records, got.lastSeq, openDay(today, device, firmware, records), info.epoch, attempt, ctx, log);
      }
      if (got.unsupported) {
        log.info('the watch does not send the open day (older firmware): SEND_FROM, today from the Today read');
        open = false;
        attempt--;
        continue;
      }
      ctx.metrics.bad(got.error);
      log.warn({ attempt, error: got.error }, 'bad history transfer: aborting and restarting from the cursor');
      // Frames of the aborted transfer may still be on the way: the watch answers ABORT after
      // its last one (one ordered ATT bearer), so wait for that answer before asking again.
      const answered = statuses.next(StatusTarget.CONTROL, Opcode.ABORT);
      await link.write(N.SERVICE, N.CONTROL, encodeAbort());
      await answered;
      if (attempt >= max) throw new BadPayloadError(`${device}: ${attempt + 1} transfers failed, last: ${got.error}`);
      ctx.metrics.restarts++;
    }
  } finally {
    statuses.close();
  }
}

/**
 * The watch's history epoch (Info) against the one stored with the cursor. A new epoch is a new
 * history (a factory wipe, a first install): its seqs start again at 1, so the cursor restarts
 * at 0 and the new records sync at once; the days already stored stay. Without a stored epoch
 * (a first sync, or the bridge last saw firmware without epochs) the epoch is recorded, and the
 * cursor restarts only when the watch holds fewer records than it (the wipe came with the update).
 * Firmware without epochs (null) keeps the old rule: only seqs past the cursor.
 */
function followEpoch(device: string, epoch: number | null, watchSeq: number, ctx: SyncContext, log: SyncContext['log']): void {
  const known = ctx.store.epoch(device);
  if (epoch === null || epoch === known) return;
  const cursor = ctx.store.cursor(device);
  const restart = cursor > 0 && (known !== null || watchSeq < cursor);
  ctx.store.setEpoch(device, epoch, restart);
  if (restart) log.warn({ epoch, previousEpoch: known, cursor, watchSeq }, 'the watch has a new history (wiped or reinstalled): its cursor restarts at 0');
  else log.info({ epoch }, 'history epoch recorded');
}

async function commit(
  link: Link, device: string, firmware: string, records: Collected[], lastSeq: number, open: DayInput | null, epoch: number | null, restarts: number, ctx: SyncContext,
  log: SyncContext['log'],
): Promise<SyncResult> {
  // Record by record, before folding by date: a bad record is set aside on its own.
  const sound: Collected[] = [];
  const quarantined: QuarantineInput[] = [];
  for (const r of records) {
    const problems = dayProblems(toDayInputs(device, firmware, [r])[0]);
    if (problems.length === 0) {
      // An open day with no step yet is nothing to deliver (as Today's total of 0 never was).
      if (r.day.seq > 0 || r.day.steps > 0) sound.push(r);
    } else if (r.day.seq === 0) log.warn({ date: dateString(r.day.day), problems }, 'the open day from the watch is not a valid day: not stored');
    else quarantined.push({ seq: r.day.seq, date: dateString(r.day.day), raw: r.frames.map((f) => toHex(f, 0, f.length)).join(''), reason: problems.map((p) => `${p.field}: ${p.rule}`).join('; ') });
  }
  const days = toDayInputs(device, firmware, sound);
  if (open !== null) {
    // Today's running total is no record: when it fails the contract it is left out (and logged).
    const problems = dayProblems(open);
    if (problems.length === 0) days.push(open);
    else log.warn({ date: open.date, problems }, 'today\'s total from the watch is not a valid day: not stored');
  }
  // The cursor and the ACK cover the quarantined records too: the bridge keeps them, so the
  // watch may free them.
  // The open day (seq 0) is no history record: it moves neither the cursor nor the ACK.
  const stored = records.filter((r) => r.day.seq > 0).length;
  const r = ctx.store.commitSync(device, days, stored ? lastSeq : null, ctx.clock.now(), quarantined, epoch);
  for (const q of quarantined) log.warn({ seq: q.seq, date: q.date, reason: q.reason }, 'history record quarantined: it breaks the day-record contract');
  if (stored) {
    await link.write(N.SERVICE, N.CONTROL, encodeAck(lastSeq));
  }
  ctx.metrics.syncs++;
  ctx.metrics.records += stored;
  ctx.metrics.quarantined += quarantined.length;
  log.info({ records: stored, days: days.length, changedDays: r.changedDays, queued: r.queued, quarantined: quarantined.length, cursor: lastSeq }, 'history synced');
  return {
    device, source: 'bushu', records: stored, days: days.length, changedDays: r.changedDays, queued: r.queued, cursor: ctx.store.cursor(device), restarts,
    quarantined: quarantined.length,
  };
}

/**
 * Today's running total, from the Today read, when the transfer brought no record of today:
 * firmware before SEND_OPEN sends closed days only, and the services want the day as it grows.
 * It has no hourly counts (null); the closed record brings them.
 */
function openDay(t: Today, device: string, firmware: string, records: Collected[]): DayInput | null {
  if (t.steps === 0 || records.some((r) => r.day.day === t.day)) return null;
  return { device, date: dateString(t.day), utcOffsetMin: t.offsetMin, steps: t.steps, hours: null, notWornHours: [], closed: false, source: 'bushu', summary: null, firmware };
}

type TransferResult = { ok: true; records: Collected[]; open: Collected | null; lastSeq: number } | { ok: false; error: string; unsupported?: boolean };

async function transfer(
  link: Link, history$: Observable<Uint8Array>, statuses: StatusWaiter, from: number, expected: number, device: string, ctx: SyncContext, open: boolean,
): Promise<TransferResult> {
  const collector = new HistoryCollector(from);
  const idleMs = ctx.transferTimeoutMs ?? 10_000;
  const result = new Promise<TransferResult>((resolve, reject) => {
    let timer = setTimeout(() => resolve({ ok: false, error: `timeout: no history frame for ${idleMs} ms` }), idleMs);
    const sub = history$.subscribe({
      next: (bytes) => {
        const s = collector.push(bytes);
        if (s.state === 'more') {
          clearTimeout(timer);
          timer = setTimeout(() => finish({ ok: false, error: `timeout: no history frame for ${idleMs} ms` }), idleMs);
          // Records, not frames: a signed record is two frames (its Day and its Summary).
          ctx.onProgress?.({ device, received: collector.records.length, expected });
        } else if (s.state === 'duplicate') ctx.metrics.duplicates++;
        else if (s.state === 'done') finish({ ok: true, records: collector.records, open: collector.open, lastSeq: s.end.lastSeq });
        else finish({ ok: false, error: s.error });
      },
      error: (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    });
    const finish = (r: TransferResult) => {
      clearTimeout(timer);
      sub.unsubscribe();
      resolve(r);
    };
    statuses.onRefusal = (s) =>
      finish({ ok: false, error: `status: the watch answered ${s.status} to opcode ${s.opcode}`, unsupported: s.opcode === Opcode.SEND_OPEN && s.status === StatusCode.UNKNOWN_OPCODE });
  });
  result.catch(() => {}); // when the write below fails too, its error is the one reported
  await link.write(N.SERVICE, N.CONTROL, open ? encodeSendOpen(from) : encodeSendFrom(from));
  return await result;
}

/**
 * Info as the watch fills it in. The watch writes Info from its connect handler, which its
 * interpreter runs after the link is up: a central quick enough to read before that gets the
 * table's initial value, all zeros (seen on the first connection after a boot). Read again,
 * a little later, until it is filled in (a handful of tries, then the zeros go to the decoder,
 * which says what is wrong with them).
 */
export async function readInfo(link: Pick<Link, 'read'>, wait: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)), tries = 8): Promise<Uint8Array> {
  for (let i = 1; ; i++) {
    const raw = await link.read(N.SERVICE, N.INFO);
    if (i >= tries || raw.some((byte) => byte !== 0)) return raw;
    await wait(50 * i);
  }
}

function decoded<T>(r: { ok: true; value: T } | { ok: false; error: string }, ctx: SyncContext): T {
  if (r.ok) return r.value;
  ctx.metrics.bad(r.error);
  throw new BadPayloadError(r.error);
}

/** Status notifications: logs refusals, lets a transfer fail fast on one, and awaits answers. */
class StatusWaiter {
  onRefusal: (s: Status) => void = () => {};
  private waiters: Array<{ target: number; opcode: number; resolve: () => void }> = [];
  private sub;

  constructor(status$: Observable<Uint8Array>, private ctx: SyncContext, private log: SyncContext['log']) {
    this.sub = status$.subscribe({
      next: (bytes) => {
        const s = decodeStatus(bytes);
        if (!s.ok) return this.ctx.metrics.bad(s.error);
        if (s.value.status !== StatusCode.OK) {
          this.log.warn({ status: s.value }, 'the watch refused a write');
          if (s.value.target === StatusTarget.CONTROL && (s.value.opcode === Opcode.SEND_FROM || s.value.opcode === Opcode.SEND_OPEN)) this.onRefusal(s.value);
        }
        this.waiters = this.waiters.filter((w) => (w.target === s.value.target && w.opcode === s.value.opcode ? (w.resolve(), false) : true));
      },
      error: () => this.waiters.splice(0).forEach((w) => w.resolve()),
    });
  }

  /** The next Status for (target, opcode); gives up quietly after `ms` (an old firmware may not answer). */
  next(target: number, opcode: number, ms = 2000): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.waiters.push({ target, opcode, resolve: () => (clearTimeout(t), resolve()) });
    });
  }

  close(): void {
    this.sub.unsubscribe();
  }
}
