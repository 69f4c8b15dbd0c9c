// A plain fake of the bushu firmware's BLE behaviour, built from the shared encoders: history
// with seq numbers, SEND_FROM / ACK / ABORT, End with count and check, signed summaries, time
// writes. Steps are credited directly (no accelerometer), so unit tests and the benchmark run
// fast. It stands in for the real firmware (simulated-wearable.ts) where speed matters more than
// running the very bundle that ships.

import { createHash } from 'node:crypto';
import {
  NOBLE_UUID as N, Length, Opcode, StatusTarget, StatusCode, decodeControl, decodeCurrentTime, decodeLocalTimeInfo, localTimeOffsetMin, currentTimeToUtcMs,
  deviceIdBytes, encodeDay, encodeSummary, encodeEnd, encodeInfo, encodeToday, encodeStatus, historyCheck, summaryMessage, signSummary, type DayRecord,
} from '../../shared/protocol/index.ts';
import { dayHoursDigest } from '../../shared/protocol/summary-verify.ts';
import { MS_PER_DAY, MS_PER_HOUR, localDay, localMs } from '../../shared/days.ts';
import { stepsBetween } from './schedule.ts';
import { ConnectionBase, addressOf, key, type SimConnection, type SimPeripheral, type SimService } from './peripheral.ts';

const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

export interface ProtoWatchOptions {
  deviceId: string;
  startUtcMs: number;
  offsetMin: number;
  /** 32-byte HMAC key provisioned at flash time; unsigned summaries without it. */
  key?: Uint8Array;
  name?: string;
  /** Walks on the seeded schedule (schedule.ts) as time advances; no walking when absent. */
  seed?: number;
  /** The history's epoch (Info); by default one derived from the device id. */
  epoch?: number;
  /** Answer Info with the 14 bytes of firmware before epochs (no epoch). */
  legacyInfo?: boolean;
  /** Firmware before SEND_OPEN: answers it UNKNOWN_OPCODE (the bridge then uses SEND_FROM and Today). */
  noOpenDay?: boolean;
}

interface Stored {
  seq: number;
  frame: Uint8Array;
}

export class ProtoWatch implements SimPeripheral {
  readonly deviceId: string;
  /** The watch's own clock: world time plus skew. */
  clockSkewMs = 0;
  offsetMin: number;
  private worldMs: number;
  /** The history's epoch, as Info reports it: a new one at every wipe(). */
  epoch: number;
  private seq = 0;
  private counter = 0;
  private stored: Stored[] = [];
  private open: DayRecord;
  private openSnapshot = '';
  private conn: ProtoConnection | null = null;
  /** Every day the watch closed, as it recorded it: the tests compare the store with these. */
  readonly closedDays: DayRecord[] = [];

  constructor(private o: ProtoWatchOptions) {
    this.deviceId = o.deviceId;
    this.offsetMin = o.offsetMin;
    this.worldMs = o.startUtcMs;
    this.epoch = o.epoch ?? parseInt(o.deviceId.slice(4), 16) >>> 0;
    this.open = this.emptyDay(localDay(this.now(), this.offsetMin));
  }

  /**
   * A factory wipe (Storage erased) and reboot: the history, its seqs and the open day are gone,
   * and the new history file has a new epoch, as the firmware's has.
   */
  wipe(): void {
    this.reboot();
    this.seq = 0;
    this.counter = 0;
    this.stored = [];
    this.epoch = (this.epoch * 1103515245 + 12345) >>> 0;
    this.open = this.emptyDay(localDay(this.now(), this.offsetMin));
    this.openSnapshot = '';
  }

  now(): number {
    return this.worldMs + this.clockSkewMs;
  }

  advertising() {
    return this.conn?.connected ? null : { name: this.o.name ?? 'bushu ' + this.deviceId.slice(8), serviceUuids: [N.SERVICE, N.WECHAT_SERVICE], address: addressOf(this.deviceId) };
  }

  advanceTo(worldUtcMs: number): void {
    // Walk in pieces that end at local hour boundaries, so each step lands in its hour and day.
    while (this.o.seed !== undefined && this.worldMs < worldUtcMs) {
      const from = localMs(this.now(), this.offsetMin);
      const to = Math.min(from + (worldUtcMs - this.worldMs), (Math.floor(from / MS_PER_HOUR) + 1) * MS_PER_HOUR);
      this.worldMs += to - from;
      this.rollover();
      const n = stepsBetween(this.o.seed, from, to);
      if (n > 0) this.credit(n, to - 1);
    }
    this.worldMs = worldUtcMs;
    this.rollover();
  }

  private credit(n: number, atLocalMs: number): void {
    const h = Math.floor((atLocalMs % MS_PER_DAY) / MS_PER_HOUR);
    this.open.steps += n;
    this.open.hours[h] += n;
    this.open.notWornMask &= ~(1 << h);
  }

  /** Steps counted now (at the watch's local hour). */
  addSteps(n: number): void {
    this.rollover();
    this.credit(n, localMs(this.now(), this.offsetMin));
  }

  /** Reboot: the link drops; history, seq and the open day survive (they live in Storage). */
  reboot(): void {
    this.conn?.drop('watch rebooted');
  }

  todaySteps(): number {
    return this.open.steps;
  }

  private emptyDay(day: number): DayRecord {
    return { seq: 0, day: day, offsetMin: this.offsetMin, steps: 0, closed: false, signed: false, notWornMask: 0xffffff, hours: new Array(24).fill(0) };
  }

  private rollover(): void {
    const today = localDay(this.now(), this.offsetMin);
    // A clock set backwards never reopens a closed day: it keeps counting into the open one.
    if (today <= this.open.day) return;
    const d = this.open;
    d.closed = true;
    d.offsetMin = this.offsetMin;
    d.signed = this.o.key !== undefined;
    this.store(d);
    this.closedDays.push({ ...d, hours: d.hours.slice() });
    this.open = this.emptyDay(today);
    this.openSnapshot = '';
  }

  private store(d: DayRecord): void {
    d.seq = ++this.seq;
    this.stored.push(...this.frames(d, ++this.counter));
  }

  /**
   * A day's Day frame and, when signed, its Summary: version 3, as the firmware signs, the digest
   * of the hours as the Day record carries them (saturated at a u16), the epoch and the closed flag.
   */
  private frames(d: DayRecord, counter: number): Stored[] {
    const out = [{ seq: d.seq, frame: encodeDay(d) }];
    if (d.signed && this.o.key) {
      const digest = dayHoursDigest(d.notWornMask, d.hours.map((h) => Math.min(h, 65535)));
      const hoursDigest = Buffer.from(digest).toString('hex');
      const message = summaryMessage({ deviceId: this.deviceId, day: d.day, offsetMin: d.offsetMin, steps: d.steps, counter, hoursDigest, epoch: this.epoch, closed: d.closed });
      out.push({ seq: d.seq, frame: encodeSummary(d.seq, message, signSummary(sha256, this.o.key, message)) });
    }
    return out;
  }

  /** The open day, written as a record when it changed since the last one (so it gets a seq). */
  private snapshotOpen(): void {
    const s = this.open.steps + ':' + this.open.hours.join(',');
    if (s === this.openSnapshot || this.open.steps === 0) return;
    this.openSnapshot = s;
    const copy = { ...this.open, hours: this.open.hours.slice(), offsetMin: this.offsetMin };
    this.store(copy);
  }

  connect(): SimConnection {
    this.conn = new ProtoConnection(this);
    return this.conn;
  }

  // --- what the connection calls ---
  today(): Uint8Array {
    return encodeToday(this.open.day, this.offsetMin, this.open.steps, this.seq);
  }
  info(): Uint8Array {
    const info = encodeInfo(1, new Uint8Array([0, 2, 0]), deviceIdBytes(this.deviceId), this.o.key !== undefined, 60, this.epoch);
    return this.o.legacyInfo ? info.subarray(0, Length.INFO_WITHOUT_EPOCH) : info;
  }
  /**
   * Frames of SEND_FROM seq, then End. With `open` (SEND_OPEN), as the firmware: the open day
   * after them, seq 0, not closed, signed with the counter it will close with. Without it, as the
   * older fake did, the open day is stored as a record of its own when it changed.
   */
  sendFrom(from: number, open = false): Uint8Array[] {
    if (!open) this.snapshotOpen();
    const frames = this.stored.filter((s) => s.seq >= from).map((s) => s.frame);
    const last = frames.length ? this.stored.filter((s) => s.seq >= from).slice(-1)[0].seq : 0;
    if (open) {
      const d = { ...this.open, hours: this.open.hours.slice(), offsetMin: this.offsetMin, seq: 0, signed: this.o.key !== undefined };
      frames.push(...this.frames(d, this.counter + 1).map((s) => s.frame));
    }
    return frames.concat([encodeEnd(frames.length, last, historyCheck(frames))]);
  }
  sendsOpenDay(): boolean {
    return !this.o.noOpenDay;
  }
  ack(seq: number): number {
    if (seq > this.seq) return StatusCode.BAD_VALUE;
    this.stored = this.stored.filter((s) => s.seq > seq);
    return StatusCode.OK;
  }
  setLocalTimeInfo(offsetMin: number): void {
    this.offsetMin = offsetMin;
    this.rollover();
  }
  setCurrentTime(utcMs: number): void {
    this.clockSkewMs = utcMs - this.worldMs;
    this.rollover();
  }
}

const SERVICES: SimService[] = [
  {
    uuid: N.SERVICE,
    characteristics: [
      { uuid: N.TODAY, properties: ['read', 'notify'] },
      { uuid: N.CONTROL, properties: ['write'] },
      { uuid: N.HISTORY, properties: ['notify'] },
      { uuid: N.STATUS, properties: ['read', 'notify'] },
      { uuid: N.INFO, properties: ['read'] },
      { uuid: N.CURRENT_TIME, properties: ['write'] },
      { uuid: N.LOCAL_TIME_INFO, properties: ['write'] },
    ],
  },
];

class ProtoConnection extends ConnectionBase implements SimConnection {
  private lastStatus = encodeStatus(StatusTarget.CONTROL, 0, StatusCode.OK);

  constructor(private w: ProtoWatch) {
    super();
  }
  services(): SimService[] {
    return SERVICES;
  }
  read(service: string, characteristic: string): Uint8Array {
    const k = key(service, characteristic);
    if (k === key(N.SERVICE, N.TODAY)) return this.w.today();
    if (k === key(N.SERVICE, N.INFO)) return this.w.info();
    if (k === key(N.SERVICE, N.STATUS)) return this.lastStatus;
    throw new Error('not readable: ' + characteristic);
  }
  write(service: string, characteristic: string, data: Uint8Array): void {
    const k = key(service, characteristic);
    if (k === key(N.SERVICE, N.CONTROL)) {
      const c = decodeControl(data);
      if (!c.ok) return this.status(StatusTarget.CONTROL, c.opcode, c.status);
      let status: number = StatusCode.OK;
      if (c.value.opcode === Opcode.SEND_OPEN && !this.w.sendsOpenDay()) status = StatusCode.UNKNOWN_OPCODE;
      else if (c.value.opcode === Opcode.SEND_FROM || c.value.opcode === Opcode.SEND_OPEN) {
        for (const f of this.w.sendFrom(c.value.seq, c.value.opcode === Opcode.SEND_OPEN)) this.notify(N.SERVICE, N.HISTORY, f);
      }
      else if (c.value.opcode === Opcode.ACK) status = this.w.ack(c.value.seq);
      else if (c.value.opcode === Opcode.SET_KEY) status = StatusCode.REFUSED;
      return this.status(StatusTarget.CONTROL, c.value.opcode, status);
    }
    if (k === key(N.SERVICE, N.LOCAL_TIME_INFO)) {
      const l = decodeLocalTimeInfo(data);
      if (l.ok) this.w.setLocalTimeInfo(localTimeOffsetMin(l.value));
      return this.status(StatusTarget.LOCAL_TIME_INFO, 0, l.ok ? StatusCode.OK : l.status);
    }
    if (k === key(N.SERVICE, N.CURRENT_TIME)) {
      const t = decodeCurrentTime(data);
      if (t.ok) this.w.setCurrentTime(currentTimeToUtcMs(t.value, this.w.offsetMin));
      return this.status(StatusTarget.CURRENT_TIME, 0, t.ok ? StatusCode.OK : t.status);
    }
    throw new Error('not writable: ' + characteristic);
  }
  private status(target: number, opcode: number, status: number): void {
    this.lastStatus = encodeStatus(target, opcode, status);
    this.notify(N.SERVICE, N.STATUS, this.lastStatus);
  }
}
