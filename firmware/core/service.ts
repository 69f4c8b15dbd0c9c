// The bushu BLE service (docs/protocol.md) over shared/protocol: decodes every write, answers
// each with a Status notification, and streams history as a chain of short timer ticks so the
// watch stays responsive. A bad write only ever produces a status: nothing here throws, and
// nothing is stored before a write has been fully validated.

import {
  addRecordCrc, currentTimeToUtcMs, decodeControl, decodeCurrentTime, decodeLocalTimeInfo, decodeWeChatTarget, encodeDay, encodeEnd,
  encodeStatus, encodeSummary, encodeWeChatTarget, historyCheckValue, localTimeOffsetMin, newHistoryCheck,
  summaryMessage, Opcode, StatusCode, StatusTarget,
} from '../../shared/protocol/index.ts';
import type { EspruinoE } from '../espruino.ts';
import { ack } from './archive.ts';
import type { Core } from './bushu.ts';
import type { Ext } from './ext.ts';
import { Char, update } from './gatt.ts';
import { crc, erase, offsetMin, write, GOAL_FILE } from './io.ts';
import { put, u16, u32, DAY_BYTES, SIGNED, T_DAY } from './records.ts';

declare const E: EspruinoE;
declare function setTime(seconds: number): void;

/** Records per tick, and the pause between ticks (ms): about 100 records a second at most. */
const PER_TICK = 2;
const PUMP_MS = 20;

export interface Service {
  /** A write to the characteristic numbered `char` (gatt.ts), from the GATT table's onWrite. */
  write(char: number, data: unknown): void;
  /** Control: SEND_FROM, ACK, SET_KEY, ABORT. */
  control(data: unknown): void;
  /** 0x2A2B: local wall-clock time under the offset in force. */
  currentTime(data: unknown): void;
  /** 0x2A0F: the zone and DST; the clock itself (UTC) does not move. */
  localTime(data: unknown): void;
  /** 0xFEA2: WeChat's step target; 0 or above a day's plausible steps is refused. */
  wechatTarget(data: unknown): void;
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

  const status = (target: number, opcode: number, code: number) => update(Char.STATUS, encodeStatus({ target: target, opcode: opcode, status: code }), true);

  const setClock = (utcMs: number, offsetMin: number) => {
    E.setTimeZone(offsetMin / 60);
    setTime(utcMs / 1000);
    c.sync(Date.now());
    b.armMidnight();
    b.today(true);
  };

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
        update(Char.HISTORY, encodeEnd({ count: check.count, lastSeq: lastSeq, check: historyCheckValue(check) }), true);
        return;
      }
      cursor = at + DAY_BYTES;
      const r = h.file();
      const seq = u32(r, at + 4);
      if (seq < from || seq <= lastSeq) continue;
      const hours: number[] = [];
      for (let i = 0; i < 24; i++) hours.push(u16(r, at + 20 + i * 2));
      const signed = (r[at + 1] & SIGNED) !== 0;
      const day = u16(r, at + 2);
      const offsetMin = (u16(r, at + 8) << 16) >> 16;
      const steps = u32(r, at + 12);
      send(encodeDay({ seq: seq, day: day, offsetMin: offsetMin, steps: steps, closed: true, signed: signed, notWornMask: u32(r, at + 16), hours: hours }));
      if (signed) {
        const message = summaryMessage({ deviceId: x.s.deviceId, day: day, offsetMin: offsetMin, steps: steps, counter: u32(r, at + 68) });
        send(encodeSummary({ seq: seq, message: message, tag: new Uint8Array(r.subarray(at + 72, at + 88)) }));
      }
      lastSeq = seq;
    }
    setTimeout(pump, PUMP_MS);
  };

  const svc: Service = {
    write: (char, data) =>
      (char === Char.CONTROL ? svc.control : char === Char.CURRENT_TIME ? svc.currentTime : char === Char.LOCAL_TIME_INFO ? svc.localTime : svc.wechatTarget)(data),
    control: (data) => {
      const r = decodeControl(data);
      if (!r.ok) return status(StatusTarget.CONTROL, r.opcode, r.status);
      const v = r.value;
      let code: number = StatusCode.OK;
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
      status(StatusTarget.CONTROL, v.opcode, code);
    },
    currentTime: (data) => {
      const r = decodeCurrentTime(data);
      const off = offsetMin();
      if (r.ok) setClock(currentTimeToUtcMs(r.value, off), off);
      status(StatusTarget.CURRENT_TIME, 0, r.ok ? StatusCode.OK : r.status);
    },
    localTime: (data) => {
      const r = decodeLocalTimeInfo(data);
      if (r.ok) setClock(Date.now(), localTimeOffsetMin(r.value));
      status(StatusTarget.LOCAL_TIME_INFO, 0, r.ok ? StatusCode.OK : r.status);
    },
    wechatTarget: (data) => {
      const r = decodeWeChatTarget(data);
      let code: number = r.ok ? StatusCode.OK : r.status;
      if (r.ok && (r.value < 1 || r.value > 100000)) code = StatusCode.BAD_VALUE;
      if (r.ok && code === StatusCode.OK && r.value !== c.goal) {
        const g = new Uint8Array(4);
        put(g, 0, r.value, 4);
        erase(GOAL_FILE);
        write(GOAL_FILE, g, 0, 0);
        c.goal = r.value;
      }
      update(Char.WECHAT_TARGET, encodeWeChatTarget(c.goal), code === StatusCode.OK);
      status(StatusTarget.WECHAT_TARGET, 0, code);
    },
  };
  return svc;
}
