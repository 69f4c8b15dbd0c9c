// The bushu BLE service (docs/protocol.md) over shared/protocol: checks every write (writes.ts), answers
// each with a Status notification, and streams history as a chain of short timer ticks so the
// watch stays responsive. A bad write only ever produces a status: nothing here throws, and
// nothing is stored before a write has been fully validated.
// One write handler for all four writable characteristics, ending in one status path: on the
// Puck every function costs memory, whatever its size.

import {
  addRecordCrcTo, checkWrite, currentTimeFrameToUtcMs, encodeEnd, encodeStatus, encodeSummary, encodeWeChatTarget, getUint, localTimeInfoFrameOffsetMin, pack, packDay,
  DayFlag, Opcode, StatusCode, StatusTarget,
} from '../../shared/protocol/index.ts';
import type { EspruinoE } from '../espruino.ts';
import { ack, dayRecord } from './archive.ts';
import type { Core } from './bushu.ts';
import type { Ext } from './ext.ts';
import { Char, update } from './gatt.ts';
import { crc, erase, offsetMin, write, GOAL_FILE } from './io.ts';
import { u32, DayAt, DAY_BYTES, T_DAY } from './records.ts';

declare const E: EspruinoE;
declare function setTime(seconds: number): void;

/** Records per tick, and the pause between ticks (ms): about 100 records a second at most. */
const PER_TICK = 2;
const PUMP_MS = 20;

export interface Service {
  /**
   * A write to the characteristic whose Status answers `target` (StatusTarget, as gatt.ts's rows
   * name it), from the GATT table's onWrite:
   * Control (SEND_FROM, ACK, SET_KEY, ABORT); 0x2A2B, local wall-clock time under the offset in
   * force; 0x2A0F, the zone and DST (the clock itself, UTC, does not move); 0xFEA2, WeChat's step
   * target (0 or above a day's plausible steps is refused).
   */
  write(target: number, data: unknown): void;
}

export function service(b: Core, x: Ext): Service {
  const h = b.historyFile;
  const c = b.counter;
  // The transfer in progress: records with seq >= from, read from `file` at `cursor`.
  let sending = false;
  let open = false;
  let from = 0;
  let cursor = 0;
  let file = '';
  let lastSeq = 0;
  // The End record's check over the records sent (shared/protocol/crc32.ts): its raw register, and the count.
  let register = -1;
  let count = 0;

  /** Notifies a history frame and adds it to the End record's check. */
  const send = (frame: Uint8Array) => {
    update(Char.HISTORY, frame, true);
    register = addRecordCrcTo(register, crc(frame));
    count++;
  };

  /**
   * A day record (records.ts) as a Day frame and, when signed, its Summary. A stored day holds
   * the wire Day's fields as the same little-endian bytes, and its hours already fit a u16: the
   * frames are made of copies of them (the encoders copy as many bytes as a field's size from
   * the start of a view). The message is rebuilt from the record, in the version its flags name.
   */
  const sendDay = (r: Uint8Array, at: number) => {
    const part = (offset: number) => r.subarray(at + offset);
    const f = r[at + DayAt.FLAGS];
    send(packDay(part(DayAt.SEQ), part(DayAt.DAY), part(DayAt.OFFSET), part(DayAt.STEPS), f & (DayFlag.CLOSED | DayFlag.SIGNED), part(DayAt.NOT_WORN), part(DayAt.HOURS)));
    if (f & DayFlag.SIGNED) send(encodeSummary(part(DayAt.SEQ), x.signer.message(part(0), part(DayAt.SUMMARY_COUNTER)), part(DayAt.TAG)));
  };

  /** Sends a few records, then yields. A compaction meanwhile moves the records: rescan by seq. */
  const pump = (): void => {
    if (!sending) return;
    if (h.name !== file) {
      file = h.name;
      cursor = 0;
    }
    for (let k = 0; k < PER_TICK; k++) {
      const at = h.next(cursor, T_DAY);
      if (at < 0) {
        sending = false;
        h.mapped = undefined;
        // SEND_OPEN: the open day, unclosed, under seq 0 (no history record: nothing to ACK) and
        // signed with the counter it will close with. Counted in the End check like the rest.
        if (open && c.day >= 0) sendDay(dayRecord(b, 0, 0, h.summaryCounter + 1, x.signer), 0);
        update(Char.HISTORY, encodeEnd(count, lastSeq, ~register), true);
        return;
      }
      cursor = at + DAY_BYTES;
      const r = h.file();
      const seq = u32(r, at + DayAt.SEQ);
      if (seq < from || seq <= lastSeq) continue;
      sendDay(r, at);
      lastSeq = seq;
    }
    setTimeout(pump, PUMP_MS);
  };

  return {
    write: (target, data) => {
      // Espruino's onWrite always hands over an ArrayBuffer (so does the simulator): viewed as it
      // is, without asBytes's type check. Read only once checkWrite has passed it.
      const d = new Uint8Array(data as ArrayBuffer);
      const e = checkWrite(target, d);
      let code: number = e ? e.status : StatusCode.OK;
      let opcode = 0;
      if (target === StatusTarget.CONTROL) {
        opcode = e ? (e.opcode as number) : d[1];
        // Meaningless in a refused or ABORT frame, and then unused.
        const seq = getUint(d, 2, 4);
        if (e) {
          // refused: the status says why
        } else if (opcode === Opcode.SEND_FROM || opcode === Opcode.SEND_OPEN) {
          if (sending) code = StatusCode.BUSY;
          else {
            sending = true;
            open = opcode === Opcode.SEND_OPEN;
            from = seq;
            cursor = 0;
            file = h.name;
            lastSeq = 0;
            register = -1;
            count = 0;
            setTimeout(pump, PUMP_MS);
          }
        } else if (opcode === Opcode.ACK) {
          // ACK of a seq the watch never issued: the bridge is confused, and nothing is dropped.
          if (seq > h.seq) code = StatusCode.BAD_VALUE;
          else if (!ack(h, seq, Math.floor(Date.now() / 1000))) code = StatusCode.BUSY;
        } else if (opcode === Opcode.SET_KEY) {
          // Stored at once, so the BLE stack's buffer need not outlive this call.
          code = x.signer.setKey(d.subarray(2));
          x.info();
        } else {
          sending = false;
        }
      } else if (target === StatusTarget.WECHAT_TARGET) {
        const goal = getUint(d, 1, 3);
        if (e) {
          // refused: the status says why
        } else if (goal < 1 || goal > 100000) code = StatusCode.BAD_VALUE;
        else if (goal !== c.goal) {
          erase(GOAL_FILE);
          write(GOAL_FILE, pack([goal, 4]), 0, 0);
          c.goal = goal;
        }
        update(Char.WECHAT_TARGET, encodeWeChatTarget(c.goal), code === StatusCode.OK);
      } else if (!e) {
        // The clock: Current Time is local wall-clock time under the offset in force; Local Time
        // Information changes the offset, and the clock itself (UTC) does not move.
        let offset = offsetMin();
        let utcMs = Date.now();
        if (target === StatusTarget.CURRENT_TIME) utcMs = currentTimeFrameToUtcMs(d, offset);
        else offset = localTimeInfoFrameOffsetMin(d);
        E.setTimeZone(offset / 60);
        setTime(utcMs / 1000);
        c.sync(Date.now());
        b.armMidnight();
        b.today(true);
      }
      update(Char.STATUS, encodeStatus(target, opcode, code), true);
    },
  };
}
