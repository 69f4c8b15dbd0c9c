// Collects one SEND_FROM transfer, frame by frame, and decides whether it can be committed.
//
// Verification: the End record's count and check (a CRC-32 of per-record CRC-32s) must match
// what arrived, and seqs must run in order (Days strictly increasing, each Summary right after
// its signed Day). ATT notifications are reliable and ordered on one connection, so anything else
// is a bug or corruption, and nothing of the transfer is committed.
//
// Duplicates: a frame byte-identical to the one just before it is dropped (and counted) before
// the check. Two distinct records can never be identical (each Day has its own seq, a Summary
// differs from its Day by type), so a repeat can only be the same notification delivered twice;
// dropping it leaves exactly what the watch sent, which the check then confirms. A reordered
// pair breaks the seq order and restarts the transfer at once.
//
// The open day (SEND_OPEN) comes last, as a Day with seq 0 that is not closed (and its Summary
// when signed): no history record, so it moves neither the End's last seq nor the cursor, but it
// is counted in the End check like every frame. Kept apart in `open`.

import { addRecord, decodeHistoryFrame, historyCheckValue, newHistoryCheck, toHex, type DayRecord, type EndRecord, type SummaryRecord } from '../../shared/protocol/index.ts';

export type CollectState = { state: 'more' } | { state: 'duplicate' } | { state: 'done'; end: EndRecord } | { state: 'bad'; error: string };

export interface Collected {
  day: DayRecord;
  summary: SummaryRecord | null;
  /** The frames as received (the Day, then its Summary): what a quarantined record keeps. */
  frames: Uint8Array[];
}

const MAX_RECORDS = 65535; // End's count is a u16

export class HistoryCollector {
  /** Stored history records, in seq order. */
  readonly records: Collected[] = [];
  /** The open day, when the watch sent it (SEND_OPEN). */
  open: Collected | null = null;
  private check = newHistoryCheck();
  private last: Uint8Array | null = null;
  private lastSeq = 0;
  private finished = false;

  constructor(private fromSeq: number) {}

  get received(): number {
    return this.check.count;
  }

  push(bytes: Uint8Array): CollectState {
    if (this.finished) return { state: 'bad', error: 'history: frame after End' };
    if (this.last !== null && sameBytes(this.last, bytes)) return { state: 'duplicate' };
    const f = decodeHistoryFrame(bytes);
    if (!f.ok) return { state: 'bad', error: f.error + ' (' + toHex(bytes, 0, Math.min(bytes.length, 12)) + ')' };
    const pending = this.open ?? (this.records.length ? this.records[this.records.length - 1] : null);
    if (f.value.kind === 'end') {
      this.finished = true;
      const e = f.value.record;
      if (pending && pending.day.signed && pending.summary === null) return { state: 'bad', error: `history: signed day seq ${pending.day.seq} has no Summary` };
      if (e.count !== this.check.count) return { state: 'bad', error: `End: count ${e.count}, received ${this.check.count}` };
      if (e.lastSeq !== this.lastSeq) return { state: 'bad', error: `End: last seq ${e.lastSeq}, received up to ${this.lastSeq}` };
      if (e.check !== historyCheckValue(this.check)) return { state: 'bad', error: `End: check ${e.check.toString(16)} does not match ${historyCheckValue(this.check).toString(16)}` };
      return { state: 'done', end: e };
    }
    if (this.check.count >= MAX_RECORDS) return { state: 'bad', error: 'history: more records than End can count' };
    if (f.value.kind === 'day') {
      const d = f.value.record;
      if (this.open !== null) return { state: 'bad', error: `Day: seq ${d.seq} after the open day` };
      const isOpen = d.seq === 0 && !d.closed;
      if (!isOpen && (d.seq < this.fromSeq || d.seq <= this.lastSeq)) return { state: 'bad', error: `Day: seq ${d.seq} out of order (after ${this.lastSeq}, asked from ${this.fromSeq})` };
      if (pending && pending.day.signed && pending.summary === null) return { state: 'bad', error: `history: signed day seq ${pending.day.seq} has no Summary` };
      const c: Collected = { day: d, summary: null, frames: [new Uint8Array(bytes)] };
      if (isOpen) this.open = c;
      else {
        this.records.push(c);
        this.lastSeq = d.seq;
      }
    } else {
      const s = f.value.record;
      if (pending === null || pending.day.seq !== s.seq || !pending.day.signed || pending.summary !== null)
        return { state: 'bad', error: `Summary: seq ${s.seq} does not follow its signed Day` };
      pending.summary = s;
      pending.frames.push(new Uint8Array(bytes));
    }
    addRecord(this.check, bytes);
    this.last = bytes;
    return { state: 'more' };
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
