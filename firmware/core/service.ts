// The bushu BLE service (docs/protocol.md) over shared/protocol: decodes every write, answers
// each with a Status notification, and streams history as a chain of short timer ticks so the
// watch stays responsive. A bad write only ever produces a status: nothing here throws, and
// nothing is stored before a write has been fully validated.

import {
  addRecordCrc, currentTimeToUtcMs, decodeControl, decodeCurrentTime, decodeLocalTimeInfo, decodeWeChatTarget, encodeDay, encodeEnd,
  encodeStatus, encodeSummary, encodeWeChatTarget, historyCheckValue, localTimeOffsetMin, newHistoryCheck,
  summaryMessage, Opcode, StatusCode, StatusTarget, type HistoryCheck,
} from '../../shared/protocol/index.ts';
import { ack } from './archive.ts';
import type { Bushu } from './bushu.ts';
import type { Counter } from './counter.ts';
import type { Ext } from './ext.ts';
import type { History } from './history.ts';
import { Char, GOAL_FILE, i16, put32, u16, u32, type Platform } from './platform.ts';
import { DAY_BYTES, SIGNED, T_DAY } from './records.ts';
import type { Signer } from './signer.ts';

/** Records per tick, and the pause between ticks (ms): about 100 records a second at most. */
const PER_TICK = 2;
const TICK_MS = 20;

export class Service {
  private sending = false;
  private from = 0;
  private cursor = 0;
  private file = '';
  private lastSeq = 0;
  private check: HistoryCheck = newHistoryCheck();
  private readonly b: Bushu;
  private readonly x: Ext;
  private readonly p: Platform;
  private readonly h: History;
  private readonly c: Counter;
  private readonly s: Signer;

  constructor(b: Bushu, x: Ext) {
    this.b = b;
    this.x = x;
    this.p = b.p;
    this.h = b.h;
    this.c = b.c;
    this.s = x.s;
  }

  private status(target: number, opcode: number, code: number): void {
    this.p.update(Char.STATUS, encodeStatus({ target: target, opcode: opcode, status: code }), true);
  }

  control(data: unknown): void {
    const r = decodeControl(data);
    if (!r.ok) return this.status(StatusTarget.CONTROL, r.opcode, r.status);
    const v = r.value;
    let code: number = StatusCode.OK;
    if (v.opcode === Opcode.SEND_FROM) {
      if (this.sending) code = StatusCode.BUSY;
      else this.start(v.seq);
    } else if (v.opcode === Opcode.ACK) {
      // ACK of a seq the watch never issued: the bridge is confused, and nothing is dropped.
      if (v.seq > this.h.seq) code = StatusCode.BAD_VALUE;
      else if (!ack(this.h, v.seq, Math.floor(this.p.now() / 1000))) code = StatusCode.BUSY;
    } else if (v.opcode === Opcode.SET_KEY) {
      code = this.s.setKey(v.key);
      this.x.info();
    } else {
      this.sending = false;
    }
    this.status(StatusTarget.CONTROL, v.opcode, code);
  }

  /** 0x2A2B: local wall-clock time under the offset in force. */
  currentTime(data: unknown): void {
    const r = decodeCurrentTime(data);
    if (r.ok) this.setClock(currentTimeToUtcMs(r.value, this.p.offsetMin()), this.p.offsetMin());
    this.status(StatusTarget.CURRENT_TIME, 0, r.ok ? StatusCode.OK : r.status);
  }

  /** 0x2A0F: the zone and DST; the clock itself (UTC) does not move. */
  localTime(data: unknown): void {
    const r = decodeLocalTimeInfo(data);
    if (r.ok) this.setClock(this.p.now(), localTimeOffsetMin(r.value));
    this.status(StatusTarget.LOCAL_TIME_INFO, 0, r.ok ? StatusCode.OK : r.status);
  }

  private setClock(utcMs: number, offsetMin: number): void {
    this.p.setClock(utcMs, offsetMin);
    this.c.sync(this.p.now());
    this.b.armMidnight();
    this.b.today(true);
  }

  /** 0xFEA2: WeChat's step target; 0 or above a day's plausible steps is refused. */
  wechatTarget(data: unknown): void {
    const r = decodeWeChatTarget(data);
    let code: number = r.ok ? StatusCode.OK : r.status;
    if (r.ok && (r.value < 1 || r.value > 100000)) code = StatusCode.BAD_VALUE;
    if (r.ok && code === StatusCode.OK && r.value !== this.c.goal) {
      const g = new Uint8Array(4);
      put32(g, 0, r.value);
      this.p.erase(GOAL_FILE);
      this.p.write(GOAL_FILE, g, 0, 0);
      this.c.goal = r.value;
    }
    this.p.update(Char.WECHAT_TARGET, encodeWeChatTarget(this.c.goal), code === StatusCode.OK);
    this.status(StatusTarget.WECHAT_TARGET, 0, code);
  }

  private start(seq: number): void {
    this.sending = true;
    this.from = seq;
    this.cursor = 0;
    this.file = this.h.name;
    this.lastSeq = 0;
    this.check = newHistoryCheck();
    this.p.later(() => this.pump(), TICK_MS);
  }

  private send(frame: Uint8Array): void {
    this.p.update(Char.HISTORY, frame, true);
    addRecordCrc(this.check, this.p.crc32(frame));
  }

  /** Sends a few records, then yields. A compaction meanwhile moves the records: rescan by seq. */
  private pump(): void {
    if (!this.sending) return;
    const h = this.h;
    if (h.name !== this.file) {
      this.file = h.name;
      this.cursor = 0;
    }
    for (let k = 0; k < PER_TICK; k++) {
      const at = h.next(this.cursor, T_DAY);
      if (at < 0) {
        this.sending = false;
        h.release();
        this.p.update(Char.HISTORY, encodeEnd({ count: this.check.count, lastSeq: this.lastSeq, check: historyCheckValue(this.check) }), true);
        return;
      }
      this.cursor = at + DAY_BYTES;
      const b = h.file();
      const seq = u32(b, at + 4);
      if (seq < this.from || seq <= this.lastSeq) continue;
      this.sendDay(b, at, seq);
    }
    this.p.later(() => this.pump(), TICK_MS);
  }

  private sendDay(b: Uint8Array, at: number, seq: number): void {
    const hours: number[] = [];
    for (let i = 0; i < 24; i++) hours.push(u16(b, at + 20 + i * 2));
    const signed = (b[at + 1] & SIGNED) !== 0;
    const day = u16(b, at + 2);
    const offsetMin = i16(b, at + 8);
    const steps = u32(b, at + 12);
    this.send(encodeDay({ seq: seq, day: day, offsetMin: offsetMin, steps: steps, closed: true, signed: signed, notWornMask: u32(b, at + 16), hours: hours }));
    if (signed) {
      const message = summaryMessage({ deviceId: this.s.deviceId, day: day, offsetMin: offsetMin, steps: steps, counter: u32(b, at + 68) });
      this.send(encodeSummary({ seq: seq, message: message, tag: new Uint8Array(b.subarray(at + 72, at + 88)) }));
    }
    this.lastSeq = seq;
  }
}
