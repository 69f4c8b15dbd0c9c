// The bushu BLE service (docs/protocol.md) over shared/protocol: decodes every write, answers
// each with a Status notification, and streams history as a chain of short timer ticks so the
// watch stays responsive. A bad write only ever produces a status: nothing here throws, and
// nothing is stored before a write has been fully validated.
// One write handler for all four writable characteristics, ending in one status path: on the
// Puck every function costs memory, whatever its size.

import {
  addRecordCrc, currentTimeToUtcMs, decodeControl, decodeCurrentTime, decodeLocalTimeInfo, decodeWeChatTarget, encodeWeChatTarget,
  historyCheckValue, localTimeOffsetMin, newHistoryCheck, pack, summaryMessage, Opcode, RecordType, StatusCode, StatusTarget,
  PROTOCOL_VERSION,
} from '../../shared/protocol/index.ts';
import type { EspruinoE } from '../espruino.ts';
import { ack } from './archive.ts';
import type { Core } from './bushu.ts';
import type { Ext } from './ext.ts';
import { Char, update } from './gatt.ts';
import { crc, erase, offsetMin, write, GOAL_FILE } from './io.ts';
import { put, u16, u32, CLOSED, DAY_BYTES, SIGNED, T_DAY } from './records.ts';

declare const E: EspruinoE;
declare function setTime(seconds: number): void;

/** Records per tick, and the pause between ticks (ms): about 100 records a second at most. */
const PER_TICK = 2;
const PUMP_MS = 20;

export interface Service {
  /**
   * A write to the characteristic numbered `char` (gatt.ts), from the GATT table's onWrite:
   * Control (SEND_FROM, ACK, SET_KEY, ABORT); 0x2A2B, local wall-clock time under the offset in
   * force; 0x2A0F, the zone and DST (the clock itself, UTC, does not move); 0xFEA2, WeChat's step
   * target (0 or above a day's plausible steps is refused).
   */
  write(char: number, data: unknown): void;
}

export function service(b: Core, x: Ext): Service {
  const h = b.h;
  const c = b.c;
  // The transfer in progress: records with seq >= from, read from `file` at `cursor`.
  let sending = false;
  let from = 0;
  let cursor = 0;
  let file = '';
  let lastSeq = 0;
  let check = newHistoryCheck();

  /** Notifies a history frame and adds it to the End record's check. */
  const send = (frame: Uint8Array) => {
    update(Char.HISTORY, frame, true);
    addRecordCrc(check, crc(frame));
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
        h.buf = undefined;
        update(Char.HISTORY, pack([PROTOCOL_VERSION, 1, RecordType.END, 1, check.count, 2, lastSeq, 4, historyCheckValue(check), 4]), true);
        return;
      }
      cursor = at + DAY_BYTES;
      const r = h.file();
      const seq = u32(r, at + 4);
      if (seq < from || seq <= lastSeq) continue;
      // A stored day (records.ts) holds the wire Day's fields as the same little-endian bytes,
      // and its hours already fit a u16: the frame is made of copies of them.
      const part = (offset: number, size: number) => r.subarray(at + offset, at + offset + size);
      const signed = r[at + 1] & SIGNED;
      const seqBytes = part(4, 4);
      send(pack([PROTOCOL_VERSION, 1, RecordType.DAY, 1, seqBytes, 4, part(2, 2), 2, part(8, 2), 2, part(12, 4), 4, CLOSED | signed, 1, part(16, 52), 52]));
      if (signed) {
        const message = summaryMessage({ deviceId: x.s.deviceId, day: u16(r, at + 2), offsetMin: (u16(r, at + 8) << 16) >> 16, steps: u32(r, at + 12), counter: u32(r, at + 68) });
        send(pack([PROTOCOL_VERSION, 1, RecordType.SUMMARY, 1, seqBytes, 4, message, 19, part(72, 16), 16]));
      }
      lastSeq = seq;
    }
    setTimeout(pump, PUMP_MS);
  };

  return {
    write: (char, data) => {
      let target: number = StatusTarget.CONTROL;
      let opcode = 0;
      let code: number = StatusCode.OK;
      if (char === Char.CONTROL) {
        const r = decodeControl(data);
        if (!r.ok) {
          opcode = r.opcode;
          code = r.status;
        } else {
          const v = r.value;
          opcode = v.opcode;
          if (v.opcode === Opcode.SEND_FROM) {
            if (sending) code = StatusCode.BUSY;
            else {
              sending = true;
              from = v.seq;
              cursor = 0;
              file = h.name;
              lastSeq = 0;
              check = newHistoryCheck();
              setTimeout(pump, PUMP_MS);
            }
          } else if (v.opcode === Opcode.ACK) {
            // ACK of a seq the watch never issued: the bridge is confused, and nothing is dropped.
            if (v.seq > h.seq) code = StatusCode.BAD_VALUE;
            else if (!ack(h, v.seq, Math.floor(Date.now() / 1000))) code = StatusCode.BUSY;
          } else if (v.opcode === Opcode.SET_KEY) {
            code = x.s.setKey(v.key);
            x.info();
          } else {
            sending = false;
          }
        }
      } else if (char === Char.WECHAT_TARGET) {
        target = StatusTarget.WECHAT_TARGET;
        const r = decodeWeChatTarget(data);
        if (!r.ok) code = r.status;
        else if (r.value < 1 || r.value > 100000) code = StatusCode.BAD_VALUE;
        else if (r.value !== c.goal) {
          const g = new Uint8Array(4);
          put(g, 0, r.value, 4);
          erase(GOAL_FILE);
          write(GOAL_FILE, g, 0, 0);
          c.goal = r.value;
        }
        update(Char.WECHAT_TARGET, encodeWeChatTarget(c.goal), code === StatusCode.OK);
      } else {
        // The clock: both characteristics end in the same setting of zone, time and day.
        let offset = offsetMin();
        let utcMs = Date.now();
        if (char === Char.CURRENT_TIME) {
          target = StatusTarget.CURRENT_TIME;
          const r = decodeCurrentTime(data);
          if (r.ok) utcMs = currentTimeToUtcMs(r.value, offset);
          else code = r.status;
        } else {
          target = StatusTarget.LOCAL_TIME_INFO;
          const r = decodeLocalTimeInfo(data);
          if (r.ok) offset = localTimeOffsetMin(r.value);
          else code = r.status;
        }
        if (code === StatusCode.OK) {
          E.setTimeZone(offset / 60);
          setTime(utcMs / 1000);
          c.sync(Date.now());
          b.armMidnight();
          b.today(true);
        }
      }
      update(Char.STATUS, pack([PROTOCOL_VERSION, 1, target, 1, opcode, 1, code, 1]), true);
    },
  };
}
