// The firmware's BLE service through the simulated radio, decoded with shared/protocol: every
// characteristic, bad writes answered with a status and no harm, the key, signed summaries.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EspruinoSim } from '../sim/espruino/index.ts';
import { walk } from '../sim/signals.ts';
import { dateString, dayNumber } from '../shared/days.ts';
import { dayProblems } from '../shared/record/index.ts';
import {
  decodeEnd, decodeInfo, decodeToday, decodeWeChatAddress, decodeWeChatSteps, decodeWeChatTarget, encodeAbort, encodeAck, encodeCurrentTime,
  crc32, encodeLocalTimeInfo, encodeSendFrom, pack, encodeSetKey, encodeWeChatTarget, historyCheck, StatusCode, UUID,
} from '../shared/protocol/index.ts';
import { bangle, play, steps } from './kits/firmware/harness.ts';
import { Link } from './kits/firmware/link.ts';
import { evalCore } from './kits/firmware/names.ts';
import { VERSION } from '../firmware/core/version.ts';

const H = 3600000;
const T0 = Date.UTC(2026, 10, 21, 10, 0);
const D21 = dayNumber('2026-11-21');
const KEY = new Uint8Array(32).map((_, i) => i * 7 + 1);

/** A Bangle booted with the key provisioned at flash time. */
async function keyedBangle(): Promise<EspruinoSim> {
  const sim = await bangle({ startTime: T0 });
  sim.install({ 'bushu.key': KEY });
  sim.load();
  return sim;
}

function nextDay(sim: EspruinoSim, days = 1): void {
  sim.setClock(sim.now() + days * 24 * H);
  sim.advance(61000);
}

describe('firmware: BLE service', () => {
  it('serves Info, Today, battery and the WeChat profile, next to other apps in bleServices', async () => {
    const sim = await bangle({ startTime: T0 });
    sim.install({ 'other.boot.js': 'bleServices["0xABCD"] = { "0xABCE": { value: "hi", readable: true } };' });
    sim.load();
    const link = new Link(sim);
    const uuids = link.conn.services().map((s) => s.uuid);
    expect(uuids).toEqual(expect.arrayContaining(['abcd', '180f', 'fee7', UUID.SERVICE.replace(/-/g, '')]));
    expect(sim.ble.advertising().serviceUuids.map((u) => u.toLowerCase())).toContain('fee7');

    const info = decodeInfo(link.read(UUID.SERVICE, UUID.INFO));
    expect(info.ok && info.value).toEqual({ hardware: 1, firmware: [...VERSION], deviceId: 'c123456789ab', keySet: false, capacityDays: 60, epoch: expect.any(Number) });
    expect(link.read(UUID.BATTERY_SERVICE, UUID.BATTERY_LEVEL)).toEqual(new Uint8Array([87]));

    play(sim, walk({ seed: 1, steps: 150, cadence: 1.8 }).rec, sim.now() + 100);
    sim.advance(61000);
    const n = steps(sim);
    const today = decodeToday(link.read(UUID.SERVICE, UUID.TODAY));
    expect(today.ok && today.value).toEqual({ day: D21, offsetMin: 0, steps: n, seq: 0 });
    const notified = decodeToday(link.today[link.today.length - 1]);
    expect(notified.ok && notified.value.steps).toBe(n);
    const count = link.today.length;
    sim.advance(5 * 60000); // nothing changed: no more notifications
    expect(link.today.length).toBe(count);

    const fea1 = decodeWeChatSteps(link.read(UUID.WECHAT_SERVICE, UUID.WECHAT_STEPS));
    expect(fea1.ok && fea1.value).toEqual({ steps: n });
    expect(link.read(UUID.WECHAT_SERVICE, UUID.WECHAT_STEPS)[0]).toBe(0x01);
    expect(decodeWeChatTarget(link.read(UUID.WECHAT_SERVICE, UUID.WECHAT_TARGET))).toEqual({ ok: true, value: 8000 });
    expect(link.write(UUID.WECHAT_SERVICE, UUID.WECHAT_TARGET, encodeWeChatTarget(10000))).toEqual({ target: 4, opcode: 0, status: 0 });
    expect(decodeWeChatTarget(link.read(UUID.WECHAT_SERVICE, UUID.WECHAT_TARGET))).toEqual({ ok: true, value: 10000 });
    expect(evalCore(sim, 'bushu.counter.goal')).toBe(10000);
    sim.eval('load()');
    expect(evalCore(sim, 'bushu.counter.goal')).toBe(10000); // kept across app loads
    expect(decodeWeChatAddress(link.read(UUID.WECHAT_SERVICE, UUID.WECHAT_ADDRESS))).toEqual({ ok: true, value: 'c123456789ab' });
    expect(sim.errors).toEqual([]);
  });

  it('sets the clock and zone from 0x2A0F and 0x2A2B (local time)', async () => {
    const sim = await bangle({ startTime: T0 });
    const link = new Link(sim);
    expect(link.write(UUID.SERVICE, UUID.LOCAL_TIME_INFO, encodeLocalTimeInfo({ zone: 28, dst: 4 }))?.status).toBe(0);
    const t = { year: 2026, month: 12, day: 1, hours: 9, minutes: 30, seconds: 0, dayOfWeek: 2, fractions256: 0, adjustReason: 1 };
    expect(link.write(UUID.SERVICE, UUID.CURRENT_TIME, encodeCurrentTime(t))).toEqual({ target: 2, opcode: 0, status: 0 });
    expect(Math.abs((sim.eval('Date.now()') as number) - Date.UTC(2026, 11, 1, 1, 30))).toBeLessThan(1000);
    expect(sim.eval('new Date().getTimezoneOffset()')).toBe(-480);
    const today = decodeToday(link.read(UUID.SERVICE, UUID.TODAY));
    expect(today.ok && [today.value.day, today.value.offsetMin]).toEqual([dayNumber('2026-12-01'), 480]);
  });

  it('answers bad writes with a status, never an error, and leaves stored data and the clock alone', async () => {
    const sim = await bangle({ startTime: T0 });
    evalCore(sim, 'bushu.counter.add(50)');
    nextDay(sim);
    const link = new Link(sim);
    const name = evalCore(sim, 'bushu.historyFile.name') as string;
    const before = sim.storage.readBytes(name)!;
    const clock = sim.now();
    const C = [UUID.SERVICE, UUID.CONTROL];
    const CT = [UUID.SERVICE, UUID.CURRENT_TIME];
    const LT = [UUID.SERVICE, UUID.LOCAL_TIME_INFO];
    const WT = [UUID.WECHAT_SERVICE, UUID.WECHAT_TARGET];
    const feb30 = encodeCurrentTime({ year: 2026, month: 2, day: 30, hours: 1, minutes: 0, seconds: 0, dayOfWeek: 0, fractions256: 0, adjustReason: 0 });
    const h25 = encodeCurrentTime({ year: 2026, month: 3, day: 3, hours: 25, minutes: 0, seconds: 0, dayOfWeek: 0, fractions256: 0, adjustReason: 0 });
    const y2200 = encodeCurrentTime({ year: 2200, month: 3, day: 3, hours: 1, minutes: 0, seconds: 0, dayOfWeek: 0, fractions256: 0, adjustReason: 0 });
    const y2019 = encodeCurrentTime({ year: 2019, month: 3, day: 3, hours: 1, minutes: 0, seconds: 0, dayOfWeek: 0, fractions256: 0, adjustReason: 0 });
    const cases: [string[], number[] | Uint8Array, number, number, number][] = [
      [C, [1], 1, 0, StatusCode.BAD_LENGTH],
      [C, [2, 1, 0, 0, 0, 0], 1, 1, StatusCode.BAD_VERSION],
      [C, [1, 9], 1, 9, StatusCode.UNKNOWN_OPCODE],
      [C, [1, 1, 0], 1, 1, StatusCode.BAD_LENGTH],
      [C, encodeAck(99), 1, 2, StatusCode.BAD_VALUE],
      [C, [1, 3, ...KEY, 0], 1, 3, StatusCode.BAD_LENGTH],
      [CT, feb30, 2, 0, StatusCode.BAD_VALUE],
      [CT, h25, 2, 0, StatusCode.BAD_VALUE],
      [CT, feb30.subarray(0, 9), 2, 0, StatusCode.BAD_LENGTH],
      [CT, y2200, 2, 0, StatusCode.BAD_VALUE],
      [CT, y2019, 2, 0, StatusCode.BAD_VALUE],
      [LT, [100, 0], 3, 0, StatusCode.BAD_VALUE],
      [LT, [4, 3], 3, 0, StatusCode.BAD_VALUE],
      [LT, [56, 8], 3, 0, StatusCode.BAD_VALUE],
      [LT, [52, 8], 3, 0, StatusCode.BAD_VALUE],
      [LT, [4, 0, 0], 3, 0, StatusCode.BAD_LENGTH],
      [WT, [2, 0x40, 0x1f, 0], 4, 0, StatusCode.BAD_VALUE],
      [WT, encodeWeChatTarget(0), 4, 0, StatusCode.BAD_VALUE],
      [WT, [1, 2, 3], 4, 0, StatusCode.BAD_LENGTH],
    ];
    for (const [[svc, chr], data, target, opcode, status] of cases) {
      expect(link.write(svc, chr, new Uint8Array(data)), `${chr} ${[...data]}`).toEqual({ target, opcode, status });
    }
    expect(sim.errors).toEqual([]);
    expect(sim.storage.readBytes(name)).toEqual(before);
    expect(Math.abs(sim.now() - clock - cases.length * 50)).toBeLessThan(100);
    expect(Math.abs(sim.eval('new Date().getTimezoneOffset()') as number)).toBe(0);
    expect(decodeWeChatTarget(link.read(UUID.WECHAT_SERVICE, UUID.WECHAT_TARGET))).toEqual({ ok: true, value: 8000 });
    const status = link.read(UUID.SERVICE, UUID.STATUS);
    expect([...status]).toEqual([1, 4, 0, StatusCode.BAD_LENGTH]);
  });

  it('refuses a zone with DST past +14 h: the day it then closes is one the bridge can store', async () => {
    const sim = await bangle({ startTime: T0 });
    const link = new Link(sim);
    expect(link.write(UUID.SERVICE, UUID.LOCAL_TIME_INFO, encodeLocalTimeInfo({ zone: 56, dst: 8 }))).toEqual({ target: 3, opcode: 0, status: StatusCode.BAD_VALUE });
    expect(Math.abs(sim.eval('new Date().getTimezoneOffset()') as number)).toBe(0); // the zone is unchanged
    // The edge itself is accepted: +12 h with +2 h DST is +14 h.
    expect(link.write(UUID.SERVICE, UUID.LOCAL_TIME_INFO, encodeLocalTimeInfo({ zone: 48, dst: 8 }))?.status).toBe(StatusCode.OK);
    expect(sim.eval('new Date().getTimezoneOffset()')).toBe(-840);
    expect(link.write(UUID.SERVICE, UUID.LOCAL_TIME_INFO, encodeLocalTimeInfo({ zone: 56, dst: 8 }))?.status).toBe(StatusCode.BAD_VALUE);
    evalCore(sim, 'bushu.counter.add(70)');
    nextDay(sim);
    const [day] = link.sync(0).frames;
    if (day.kind !== 'day') throw new Error('no day');
    expect(day.record.offsetMin).toBe(840);
    const fields = { device: 'c123456789ab', date: dateString(day.record.day), utcOffsetMin: day.record.offsetMin, steps: day.record.steps, hours: day.record.hours,
      notWornHours: [], closed: true, source: 'bushu' as const, summary: null, firmware: [...VERSION].join('.') };
    expect(dayProblems(fields)).toEqual([]);
    expect(sim.errors).toEqual([]);
  });

  it('refuses a clock year outside 2020..2099 and keeps its clock', async () => {
    const sim = await bangle({ startTime: T0 });
    const link = new Link(sim);
    for (const year of [2200, 9999, 2100, 2019, 1970]) {
      const t = { year, month: 1, day: 1, hours: 0, minutes: 0, seconds: 0, dayOfWeek: 0, fractions256: 0, adjustReason: 0 };
      const clock = sim.now();
      expect(link.write(UUID.SERVICE, UUID.CURRENT_TIME, encodeCurrentTime(t))?.status, String(year)).toBe(StatusCode.BAD_VALUE);
      expect(Math.abs((sim.eval('Date.now()') as number) - clock)).toBeLessThan(1000);
    }
    const today = decodeToday(link.read(UUID.SERVICE, UUID.TODAY));
    expect(today.ok && today.value.day).toBe(D21);
  });

  it('Info carries the history epoch: kept across reboots and compaction, new when the history file starts afresh', async () => {
    const sim = await bangle({ startTime: T0 });
    // A new connection each time: Info is filled in when a central connects.
    const epoch = () => {
      const link = new Link(sim);
      const info = decodeInfo(link.read(UUID.SERVICE, UUID.INFO));
      link.close();
      if (!info.ok) throw new Error(info.error);
      return info.value.epoch;
    };
    const first = epoch();
    expect(first).toBe(evalCore(sim, 'bushu.historyFile.epoch'));
    evalCore(sim, 'bushu.counter.add(50)');
    nextDay(sim);
    sim.load();
    expect(epoch()).toBe(first);
    const name = evalCore(sim, 'bushu.historyFile.name');
    expect(evalCore(sim, 'bushu.onDemand().compact()')).toBe(true);
    expect(evalCore(sim, 'bushu.historyFile.name')).not.toBe(name);
    expect(epoch()).toBe(first);
    sim.load();
    expect(epoch()).toBe(first);
    // A wiped Storage: a new history, seqs from 1 again, and a new epoch.
    for (const f of ['bushu.hist0', 'bushu.hist1']) sim.storage.erase(f);
    sim.load();
    const second = epoch();
    expect(second).not.toBe(first);
    expect(evalCore(sim, 'bushu.historyFile.seq')).toBe(0);
    // A history file written before epochs existed (its header holds 0 there) reads epoch 0.
    const file = evalCore(sim, 'bushu.historyFile.name') as string;
    const legacy = sim.storage.readBytes(file)!.slice();
    legacy.fill(0, 8, 12);
    legacy.set(pack([crc32(legacy.subarray(0, 12)), 4]), 12);
    sim.storage.write(file, legacy);
    sim.load();
    expect(epoch()).toBe(0);
    expect(sim.errors).toEqual([]);
  });

  it('SET_KEY once, then REFUSED until the key is erased on the watch (the app\'s menu, confirmed)', async () => {
    const sim = await bangle({ startTime: T0 });
    const link = new Link(sim);
    expect(link.control(encodeSetKey(KEY))).toEqual({ target: 1, opcode: 3, status: StatusCode.OK });
    expect(sim.storage.readBytes('bushu.key')).toEqual(KEY); // its 32 raw bytes
    const info = decodeInfo(link.read(UUID.SERVICE, UUID.INFO));
    expect(info.ok && info.value.keySet).toBe(true);
    expect(link.control(encodeSetKey(new Uint8Array(32)))?.status).toBe(StatusCode.REFUSED);
    expect(sim.storage.readBytes('bushu.key')).toEqual(KEY);
    link.close();
    sim.load('bushu.app.js');
    sim.touch();
    sim.choose('Erase key');
    expect(sim.storage.read('bushu.key')).toBeDefined(); // the entry only asks
    sim.choose('Yes');
    sim.advance(100);
    expect(sim.storage.read('bushu.key')).toBeUndefined();
    expect(new Link(sim).control(encodeSetKey(new Uint8Array(32).fill(9)))?.status).toBe(StatusCode.OK);
    expect(sim.errors).toEqual([]);
  });

  it('streams signed days: summaries verify with HMAC-SHA256, the counter grows, End checks out', async () => {
    const sim = await bangle({ startTime: T0 });
    const link = new Link(sim);
    evalCore(sim, 'bushu.counter.add(10)');
    nextDay(sim); // closed before the key: unsigned
    expect(link.control(encodeSetKey(KEY))?.status).toBe(0);
    for (let i = 0; i < 3; i++) {
      evalCore(sim, `bushu.counter.add(${1000 + i})`);
      nextDay(sim);
    }
    link.close();
    sim.load(); // signed history survives a reboot
    const again = new Link(sim);
    const info = decodeInfo(again.read(UUID.SERVICE, UUID.INFO));
    const epoch = info.ok ? info.value.epoch : -1;
    const { frames, raw } = again.sync(0);
    expect(frames.map((f) => f.kind)).toEqual(['day', 'day', 'summary', 'day', 'summary', 'day', 'summary', 'end']);
    let counter = 0;
    for (let i = 1; i < frames.length - 1; i += 2) {
      const day = frames[i];
      const sum = frames[i + 1];
      if (day.kind !== 'day' || sum.kind !== 'summary') throw new Error('order');
      expect(day.record.signed).toBe(true);
      expect(sum.record.seq).toBe(day.record.seq);
      const tag = createHmac('sha256', KEY).update(sum.record.message).digest().subarray(0, 16);
      expect(Buffer.from(sum.record.tag).equals(tag)).toBe(true);
      const m = Buffer.from(sum.record.message);
      expect(m.subarray(1, 7).toString('hex')).toBe('c123456789ab');
      expect([m.readUInt16LE(7), m.readInt16LE(9), m.readUInt32LE(11)]).toEqual([day.record.day, 0, day.record.steps]);
      expect(m.readUInt32LE(15)).toBeGreaterThan(counter);
      counter = m.readUInt32LE(15);
      // Version 3: the digest of the Day record's not-worn mask and hours (its bytes 15..67) is
      // signed too, then the history epoch (Info's) and the flags, closed.
      expect([m.length, m[0]]).toEqual([32, 3]);
      expect(m.subarray(19, 27).toString('hex')).toBe(createHash('sha256').update(Buffer.from(raw[i]).subarray(15, 67)).digest().subarray(0, 8).toString('hex'));
      expect(m.readUInt32LE(27)).toBe(epoch);
      expect(m[31]).toBe(1);
    }
    expect(frames[0].kind === 'day' && frames[0].record.signed).toBe(false);
    const end = decodeEnd(raw[raw.length - 1]);
    expect(end.ok && end.value).toEqual({ count: 7, lastSeq: 4, check: historyCheck(raw.slice(0, -1)) });
    // from a cursor, after ACK, and a second transfer while one runs
    expect(again.days(3).map((d) => d[2])).toEqual([3, 4]);
    expect(again.control(encodeAck(2))?.status).toBe(0);
    expect(evalCore(sim, 'bushu.historyFile.acked')).toBe(2);
    again.control(encodeSendFrom(0));
    expect(again.control(encodeSendFrom(0))?.status).toBe(StatusCode.BUSY);
    expect(again.control(encodeAbort())?.status).toBe(0);
    expect(sim.errors).toEqual([]);
    expect(sim.ble.peerErrors).toEqual([]);
  });

  it('SEND_OPEN adds the open day after the stored ones: seq 0, not closed, signed with the counter it will close with', async () => {
    const sim = await keyedBangle();
    const link = new Link(sim);
    const info = decodeInfo(link.read(UUID.SERVICE, UUID.INFO));
    const epoch = info.ok ? info.value.epoch : -1;
    evalCore(sim, 'bushu.counter.add(700)');
    nextDay(sim); // seq 1, counter 1
    sim.advance(3 * H);
    evalCore(sim, 'bushu.counter.add(1234)');
    const { frames, raw } = link.sync(2, true);
    expect(frames.map((f) => f.kind)).toEqual(['day', 'summary', 'end']);
    const [day, sum] = frames;
    if (day.kind !== 'day' || sum.kind !== 'summary') throw new Error('order');
    expect(day.record).toMatchObject({ seq: 0, day: D21 + 1, steps: 1234, closed: false, signed: true });
    expect(day.record.hours.reduce((a, b) => a + b, 0)).toBe(1234);
    expect(dayProblems({ device: 'c123456789ab', date: dateString(day.record.day), utcOffsetMin: 0, steps: 1234, hours: day.record.hours, notWornHours: [], closed: false, source: 'bushu', summary: null, firmware: null })).toEqual([]);
    const m = Buffer.from(sum.record.message);
    expect(Buffer.from(sum.record.tag).equals(createHmac('sha256', KEY).update(m).digest().subarray(0, 16))).toBe(true);
    expect([sum.record.seq, m[0], m.readUInt32LE(11), m.readUInt32LE(15), m.readUInt32LE(27), m[31]]).toEqual([0, 3, 1234, 2, epoch, 0]);
    // Counted in the End check, but no history record: the last seq stays that of the stored days.
    const end = decodeEnd(raw[raw.length - 1]);
    expect(end.ok && end.value).toEqual({ count: 2, lastSeq: 0, check: historyCheck(raw.slice(0, -1)) });
    expect(evalCore(sim, 'bushu.historyFile.seq')).toBe(1);
    // SEND_FROM (a bridge before SEND_OPEN) gets the stored days only.
    expect(link.sync(1).frames.map((f) => f.kind)).toEqual(['day', 'summary', 'end']);
    // The day closes with the counter its provisional summaries carried, and the next open day takes the next one.
    evalCore(sim, 'bushu.counter.add(6)');
    nextDay(sim);
    const after = link.sync(2, true).frames;
    expect(after.map((f) => (f.kind === 'day' ? [f.record.seq, f.record.closed, f.record.steps] : f.kind))).toEqual([[2, true, 1240], 'summary', [0, false, 0], 'summary', 'end']);
    const closed = after[1];
    const next = after[3];
    if (closed.kind !== 'summary' || next.kind !== 'summary') throw new Error('order');
    expect([Buffer.from(closed.record.message).readUInt32LE(15), closed.record.message[31]]).toEqual([2, 1]);
    expect(Buffer.from(next.record.message).readUInt32LE(15)).toBe(3);
    expect(sim.errors).toEqual([]);
  });

  it('SEND_OPEN without a key: the open day unsigned, no Summary', async () => {
    const sim = await bangle({ startTime: T0 });
    const link = new Link(sim);
    evalCore(sim, 'bushu.counter.add(42)');
    const frames = link.sync(1, true).frames;
    expect(frames.map((f) => (f.kind === 'day' ? [f.record.seq, f.record.closed, f.record.signed, f.record.steps] : f.kind))).toEqual([[0, false, false, 42], 'end']);
    expect(sim.errors).toEqual([]);
  });

  it('sends days signed by older firmware with the message their tag covers: version 1 (no SIGNED_HOURS), version 2 (no SIGNED_EPOCH)', async () => {
    const sim = await keyedBangle();
    evalCore(sim, 'bushu.counter.add(321)');
    nextDay(sim); // seq 1, signed by this firmware: version 3, counter 1
    // Seq 2 as the firmware before the digest stored it: flags closed and signed only, counter 2,
    // the tag over the version 1 message.
    const day = dayNumber('2026-11-10');
    const v1 = pack([1, 1, 0xc1, 1, 0x23, 1, 0x45, 1, 0x67, 1, 0x89, 1, 0xab, 1, day, 2, 0, 2, 500, 4, 2, 4]);
    const hours = new Array(24).fill(0).flatMap((_, h) => [h === 9 ? 500 : 0, 2]);
    const body = pack([0xb1, 1, 3, 1, day, 2, 2, 4, 0, 2, 0, 2, 500, 4, 0xfffdff, 4, ...hours, 2, 4, createHmac('sha256', KEY).update(v1).digest(), 16, 0, 4]);
    const rec = pack([body, 92, crc32(body), 4]);
    expect(evalCore(sim, `bushu.historyFile.append(new Uint8Array([${Array.from(rec).join(',')}]))`)).toBe(true);
    // Seq 3 as the firmware before the epoch stored it: flags closed, signed and SIGNED_HOURS, counter
    // 3, the tag over the version 2 message (the version 1 fields, then the hours digest).
    const digest = createHash('sha256').update(pack([0xfffdff, 4, ...hours])).digest().subarray(0, 8);
    const v2 = pack([2, 1, 0xc1, 1, 0x23, 1, 0x45, 1, 0x67, 1, 0x89, 1, 0xab, 1, day + 1, 2, 0, 2, 500, 4, 3, 4, digest, 8]);
    const body2 = pack([0xb1, 1, 7, 1, day + 1, 2, 3, 4, 0, 2, 0, 2, 500, 4, 0xfffdff, 4, ...hours, 3, 4, createHmac('sha256', KEY).update(v2).digest(), 16, 0, 4]);
    const rec2 = pack([body2, 92, crc32(body2), 4]);
    expect(evalCore(sim, `bushu.historyFile.append(new Uint8Array([${Array.from(rec2).join(',')}]))`)).toBe(true);
    const frames = new Link(sim).sync(0).frames;
    expect(frames.map((f) => f.kind)).toEqual(['day', 'summary', 'day', 'summary', 'day', 'summary', 'end']);
    const [newer, older, middle] = [frames[1], frames[3], frames[5]];
    if (newer.kind !== 'summary' || older.kind !== 'summary' || middle.kind !== 'summary') throw new Error('order');
    expect(newer.record.message[0]).toBe(3);
    expect(Buffer.from(older.record.message).toString('hex')).toBe(Buffer.from(v1).toString('hex'));
    expect(Buffer.from(older.record.tag).equals(createHmac('sha256', KEY).update(v1).digest().subarray(0, 16))).toBe(true);
    expect(Buffer.from(middle.record.message).toString('hex')).toBe(Buffer.from(v2).toString('hex'));
    expect(Buffer.from(middle.record.tag).equals(createHmac('sha256', KEY).update(v2).digest().subarray(0, 16))).toBe(true);
    expect(sim.errors).toEqual([]);
  });

  it('takes a key provisioned at flash time (bushu.key, its 32 bytes) and refuses SET_KEY', async () => {
    const sim = await keyedBangle();
    const link = new Link(sim);
    const info = decodeInfo(link.read(UUID.SERVICE, UUID.INFO));
    expect(info.ok && info.value.keySet).toBe(true);
    expect(link.control(encodeSetKey(new Uint8Array(32)))?.status).toBe(StatusCode.REFUSED);
    evalCore(sim, 'bushu.counter.add(321)');
    nextDay(sim);
    const [day, sum] = link.sync(0).frames;
    expect(day.kind === 'day' && day.record.steps).toBe(321);
    if (sum.kind !== 'summary') throw new Error('no summary');
    expect(Buffer.from(sum.record.tag).equals(createHmac('sha256', KEY).update(sum.record.message).digest().subarray(0, 16))).toBe(true);
  });

  it.each([
    ['64 hex digits (the form before raw bytes)', Buffer.from(Buffer.from(KEY).toString('hex'))],
    ['31 bytes', KEY.subarray(0, 31)],
    ['33 bytes', new Uint8Array(33).fill(5)],
  ])('reads a key file of %s as no key, and SET_KEY then replaces it', async (_, file) => {
    const sim = await bangle({ startTime: T0 });
    sim.install({ 'bushu.key': file });
    sim.load();
    const link = new Link(sim);
    const info = decodeInfo(link.read(UUID.SERVICE, UUID.INFO));
    expect(info.ok && info.value.keySet).toBe(false);
    evalCore(sim, 'bushu.counter.add(321)');
    nextDay(sim);
    expect(link.sync(0).frames.map((f) => f.kind)).toEqual(['day', 'end']); // unsigned
    expect(link.control(encodeSetKey(KEY))?.status).toBe(StatusCode.OK);
    expect(sim.storage.readBytes('bushu.key')).toEqual(KEY);
    expect(sim.errors).toEqual([]);
  });

  it('answers SET_KEY with BUSY when Storage is full, and keeps no key', async () => {
    const sim = await bangle({ startTime: T0 });
    const link = new Link(sim);
    sim.storage.compact();
    sim.storage.write('filler', new Uint8Array(sim.storage.getFree() - 32)); // 32: the file header
    expect(link.control(encodeSetKey(KEY))?.status).toBe(StatusCode.BUSY);
    const info = decodeInfo(link.read(UUID.SERVICE, UUID.INFO));
    expect(info.ok && info.value.keySet).toBe(false);
    expect(sim.storage.readBytes('bushu.key')).toBeUndefined();
    sim.storage.erase('filler');
    expect(link.control(encodeSetKey(KEY))?.status).toBe(StatusCode.OK);
    expect(sim.storage.readBytes('bushu.key')).toEqual(KEY);
    expect(sim.errors).toEqual([]);
  });
});
