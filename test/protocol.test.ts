import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { checkEspruinoSubset } from '../scripts/espruino/subset.ts';
import * as P from '../shared/protocol/index.ts';
import { dayHoursDigest, decodeSummaryMessage, recordHoursDigest, verifySummary } from '../shared/protocol/summary-verify.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const nodeSha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

/** The Day record of docs/protocol.md's worked example. */
const DAY: P.DayRecord = {
  seq: 42,
  day: 20778,
  offsetMin: 480,
  steps: 8123,
  closed: true,
  signed: true,
  notWornMask: 0x3f,
  hours: [0, 0, 0, 0, 0, 0, 0, 412, 1630, 0, 0, 0, 880, 0, 0, 0, 0, 0, 2101, 1300, 1800, 0, 0, 0],
};
const DAY_HEX =
  '0101 2a000000 2a51 e001 bb1f0000 03 3f000000' +
  ' 0000 0000 0000 0000 0000 0000 0000 9c01 5e06 0000 0000 0000 7003 0000' +
  ' 0000 0000 0000 0000 3508 1405 0807 0000 0000 0000';
const MESSAGE_HEX = '01 c0ffee000001 2a51 e001 bb1f0000 0c000000';
/** Version 2 of the same message: the fields, then SHA-256 of the Day's bytes 15..67 (not-worn mask, hours), first 8 bytes. */
const HOURS_DIGEST_HEX = 'ac46adedd2e6a70b';
const MESSAGE_V2_HEX = '02 c0ffee000001 2a51 e001 bb1f0000 0c000000 ' + HOURS_DIGEST_HEX;
const TAG_HEX = '000102030405060708090a0b0c0d0e0f';
/** Version 3: version 2's fields, then the history epoch 0xcafe0102 and the flags (1: closed). */
const MESSAGE_V3_HEX = '03 c0ffee000001 2a51 e001 bb1f0000 0c000000 ' + HOURS_DIGEST_HEX + ' 0201feca 01';

/** A decoded Control write back to bytes, with the encoders the bridge sends them with. */
function encodeControl(c: P.Control): Uint8Array {
  if (c.opcode === P.Opcode.SEND_FROM) return P.encodeSendFrom(c.seq);
  if (c.opcode === P.Opcode.SEND_OPEN) return P.encodeSendOpen(c.seq);
  if (c.opcode === P.Opcode.ACK) return P.encodeAck(c.seq);
  if (c.opcode === P.Opcode.SET_KEY) return P.encodeSetKey(c.key);
  return P.encodeAbort();
}

describe('golden bytes', () => {
  const cases: [string, Uint8Array, string, (b: Uint8Array) => P.Result<unknown>, unknown][] = [
    ['Today', P.encodeToday(20778, 480, 8123, 42), '01 2a51 e001 bb1f0000 2a000000', P.decodeToday, { day: 20778, offsetMin: 480, steps: 8123, seq: 42 }],
    ['Today, negative offset', P.encodeToday(1, -300, 0xffffffff, 0), '01 0100 d4fe ffffffff 00000000', P.decodeToday, { day: 1, offsetMin: -300, steps: 0xffffffff, seq: 0 }],
    ['SEND_FROM', P.encodeSendFrom(7), '0101 07000000', P.decodeControl, { opcode: 1, seq: 7 }],
    ['SEND_OPEN', P.encodeSendOpen(7), '0105 07000000', P.decodeControl, { opcode: 5, seq: 7 }],
    ['ACK', P.encodeAck(0x01020304), '0102 04030201', P.decodeControl, { opcode: 2, seq: 0x01020304 }],
    ['ABORT', P.encodeAbort(), '0104', P.decodeControl, { opcode: 4 }],
    ['Status', P.encodeStatus(1, 3, 4), '01010304', P.decodeStatus, { target: 1, opcode: 3, status: 4 }],
    ['Info', P.encodeInfo(1, new Uint8Array([0, 2, 0]), bytes('c0ffee000001'), true, 60, 0xcafe0102), '01 01 000200 c0ffee000001 01 3c00 0201feca', P.decodeInfo, { hardware: 1, firmware: [0, 2, 0], deviceId: 'c0ffee000001', keySet: true, capacityDays: 60, epoch: 0xcafe0102 }],
    ['Day', P.encodeDay(DAY), DAY_HEX, P.decodeDay, DAY],
    ['End', P.encodeEnd(2, 42, 0xdeadbeef), '017f 0200 2a000000 efbeadde', P.decodeEnd, { count: 2, lastSeq: 42, check: 0xdeadbeef }],
    ['Current Time', P.encodeCurrentTime({ year: 2026, month: 11, day: 21, hours: 8, minutes: 30, seconds: 15, dayOfWeek: 6, fractions256: 128, adjustReason: 1 }), 'ea07 0b 15 08 1e 0f 06 80 01', P.decodeCurrentTime, { year: 2026, month: 11, day: 21, hours: 8, minutes: 30, seconds: 15, dayOfWeek: 6, fractions256: 128, adjustReason: 1 }],
    ['Local Time Information', P.encodeLocalTimeInfo({ zone: -20, dst: 4 }), 'ec04', P.decodeLocalTimeInfo, { zone: -20, dst: 4 }],
    ['WeChat steps', P.encodeWeChatSteps(8123), '01 bb1f00', P.decodeWeChatSteps, { steps: 8123 }],
    ['WeChat target', P.encodeWeChatTarget(10000), '01 102700', P.decodeWeChatTarget, 10000],
    ['WeChat address', P.encodeWeChatAddress('c0ffee000001'), 'c0ffee000001', P.decodeWeChatAddress, 'c0ffee000001'],
  ];
  for (const [name, encoded, expected, decode, value] of cases) {
    it(name, () => {
      expect(hex(encoded)).toBe(expected.replace(/\s+/g, ''));
      expect(decode(bytes(expected))).toEqual({ ok: true, value });
    });
  }

  it('SET_KEY carries the 32 key bytes', () => {
    const key = new Uint8Array(32).map((_, i) => i);
    const wire = '0103' + '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
    expect(hex(P.encodeSetKey(key))).toBe(wire);
    expect(P.decodeControl(bytes(wire))).toEqual({ ok: true, value: { opcode: 3, key } });
    expect(() => P.encodeSetKey(new Uint8Array(16))).toThrow(/32 bytes/);
  });

  it('Summary record, message and signing', () => {
    const message = P.summaryMessage({ deviceId: 'c0ffee000001', day: 20778, offsetMin: 480, steps: 8123, counter: 12 });
    expect(hex(message)).toBe(MESSAGE_HEX.replace(/\s+/g, ''));
    const wire = '0102 2a000000' + MESSAGE_HEX + TAG_HEX;
    expect(hex(P.encodeSummary(42, message, bytes(TAG_HEX)))).toBe(wire.replace(/\s+/g, ''));
    expect(P.decodeSummary(bytes(wire))).toEqual({ ok: true, value: { seq: 42, message, tag: bytes(TAG_HEX) } });
    expect(decodeSummaryMessage(message)).toEqual({ ok: true, value: { deviceId: 'c0ffee000001', day: 20778, offsetMin: 480, steps: 8123, counter: 12, hoursDigest: null, epoch: null, closed: true } });
  });

  it('Summary version 3: the history epoch and the closed flag are signed too', () => {
    const fields = { deviceId: 'c0ffee000001', day: 20778, offsetMin: 480, steps: 8123, counter: 12, hoursDigest: HOURS_DIGEST_HEX, epoch: 0xcafe0102, closed: true };
    const message = P.summaryMessage(fields);
    expect(hex(message)).toBe(MESSAGE_V3_HEX.replace(/\s+/g, ''));
    expect(message.length).toBe(P.Length.SUMMARY_MESSAGE_V3);
    expect(decodeSummaryMessage(message)).toEqual({ ok: true, value: fields });
    // The watch's call: views of its stored day, the epoch as a number and the flags byte.
    const le = (v: number, size: number) => P.pack([v, size, 0xee, 1]);
    const digest = P.hoursDigest(nodeSha256, bytes(DAY_HEX).subarray(15));
    expect(P.packSummaryMessage(bytes('c0ffee000001'), le(20778, 2), le(480, 2), le(8123, 4), le(12, 4), digest, 0xcafe0102, P.DayFlag.CLOSED | P.DayFlag.SIGNED)).toEqual(message);
    const wire = ('0102 2a000000' + MESSAGE_V3_HEX + TAG_HEX).replace(/\s+/g, '');
    expect(wire.length / 2).toBe(P.Length.SUMMARY_V3);
    expect(hex(P.encodeSummary(42, message, bytes(TAG_HEX)))).toBe(wire);
    expect(P.decodeSummary(bytes(wire))).toEqual({ ok: true, value: { seq: 42, message, tag: bytes(TAG_HEX) } });
    // The tag under the key 00 01 .. 1f, from Python's hmac module.
    const key = new Uint8Array(32).map((_, i) => i);
    expect(hex(P.signSummary(nodeSha256, key, message))).toBe('b56282a25722fec40ecde358b51053b8');
    // The open day's message differs in its last byte only, and so does its whole tag.
    const open = P.summaryMessage({ ...fields, closed: false });
    expect(hex(open)).toBe(MESSAGE_V3_HEX.replace(/\s+/g, '').replace(/01$/, '00'));
    expect(hex(P.signSummary(nodeSha256, key, open))).toBe('a61ee34d4f05ada50d582bb59bbdb925');
    expect(decodeSummaryMessage(open)).toEqual({ ok: true, value: { ...fields, closed: false } });
    // Unknown flag bits, a wrong length, and an epoch without the digest.
    expect(decodeSummaryMessage(bytes(MESSAGE_V3_HEX.replace(/01$/, '02')))).toMatchObject({ ok: false, status: 3, error: 'summary message: unknown flags 0x2' });
    expect(decodeSummaryMessage(bytes(MESSAGE_V3_HEX + '00'))).toMatchObject({ ok: false, error: 'summary message: expected 32 bytes, got 33' });
    expect(() => P.summaryMessage({ ...fields, hoursDigest: null })).toThrow(/needs the hours digest/);
  });

  it('Summary version 2: the message covers the hours and not-worn mask through their digest', () => {
    // The digest is over the wire Day's own bytes 15..67, so the watch hashes a view of its record.
    const digest = P.hoursDigest(nodeSha256, bytes(DAY_HEX).subarray(15));
    expect(hex(digest.subarray(0, 8))).toBe(HOURS_DIGEST_HEX);
    expect(hex(dayHoursDigest(DAY.notWornMask, DAY.hours))).toBe(HOURS_DIGEST_HEX);
    expect(recordHoursDigest(DAY.hours, [0, 1, 2, 3, 4, 5])).toBe(HOURS_DIGEST_HEX);
    const fields = { deviceId: 'c0ffee000001', day: 20778, offsetMin: 480, steps: 8123, counter: 12, hoursDigest: HOURS_DIGEST_HEX };
    const message = P.summaryMessage(fields);
    expect(hex(message)).toBe(MESSAGE_V2_HEX.replace(/\s+/g, ''));
    // The watch's call: views of its stored day, the whole 32-byte hash of which 8 bytes are copied.
    const le = (v: number, size: number) => P.pack([v, size, 0xee, 1]);
    expect(P.packSummaryMessage(bytes('c0ffee000001'), le(20778, 2), le(480, 2), le(8123, 4), le(12, 4), digest)).toEqual(message);
    expect(decodeSummaryMessage(message)).toEqual({ ok: true, value: { ...fields, epoch: null, closed: true } });
    // The Summary record grows by the 8 digest bytes: 49 bytes.
    const wire = ('0102 2a000000' + MESSAGE_V2_HEX + TAG_HEX).replace(/\s+/g, '');
    expect(hex(P.encodeSummary(42, message, bytes(TAG_HEX)))).toBe(wire);
    expect(wire.length / 2).toBe(P.Length.SUMMARY_V2);
    expect(P.decodeSummary(bytes(wire))).toEqual({ ok: true, value: { seq: 42, message, tag: bytes(TAG_HEX) } });
    // The tag under the key 00 01 .. 1f (HMAC-SHA256, first 16 bytes), from Python's hmac module.
    const key = new Uint8Array(32).map((_, i) => i);
    const tag = P.signSummary(nodeSha256, key, message);
    expect(hex(tag)).toBe('f76fde3e3ed3a7e78c8039dc95713300');
    expect(verifySummary(key, message, tag)).toBe(true);
    // Any change to an hour or to the not-worn mask changes the digest.
    expect(recordHoursDigest(DAY.hours.map((h, i) => (i === 7 ? h + 1 : h)), [0, 1, 2, 3, 4, 5])).not.toBe(HOURS_DIGEST_HEX);
    expect(recordHoursDigest(DAY.hours, [0, 1, 2, 3, 4])).not.toBe(HOURS_DIGEST_HEX);
    // The top of each field, as the wire Day packs them: hour 23 not worn (bit 23 of the u32 mask),
    // an hour of 65535 steps; a not-worn hour repeated sets its bit once.
    const full = DAY.hours.map((h, i) => (i === 12 ? 65535 : h));
    const packed = P.pack([2 ** 23 + 1, 4, ...full.flatMap((h) => [h, 2])]);
    const expected = hex(P.hoursDigest(nodeSha256, packed).subarray(0, 8));
    expect(recordHoursDigest(full, [23, 0, 23])).toBe(expected);
    expect(hex(dayHoursDigest(2 ** 23 + 1, full))).toBe(expected);
    // No hours, or an hour no wire Day can hold (it would wrap onto a signed value): no digest at all.
    expect(recordHoursDigest(null, [])).toBeNull();
    expect(recordHoursDigest(DAY.hours, [24])).toBeNull();
    expect(recordHoursDigest(DAY.hours.map((h, i) => (i === 7 ? h + 65536 : h)), [0, 1, 2, 3, 4, 5])).toBeNull();
  });

  it('Day and Summary from fields given as bytes, as the watch passes views of its stored day', () => {
    // Each field's little-endian bytes at the start of a longer view: only the field's size is copied.
    const le = (v: number, size: number) => P.pack([v, size, 0xee, 1]);
    const hours = P.pack(DAY.hours.flatMap((h) => [h, 2]));
    const day = P.packDay(le(42, 4), le(20778, 2), le(480, 2), le(8123, 4), P.DayFlag.CLOSED | P.DayFlag.SIGNED, le(0x3f, 4), hours);
    expect(hex(day)).toBe(DAY_HEX.replace(/\s+/g, ''));
    const message = P.packSummaryMessage(bytes('c0ffee000001ee'), le(20778, 2), le(480, 2), le(8123, 4), le(12, 4));
    expect(hex(message)).toBe(MESSAGE_HEX.replace(/\s+/g, ''));
    expect(hex(P.encodeSummary(le(42, 4), message, bytes(TAG_HEX + 'ee')))).toBe(('0102 2a000000' + MESSAGE_HEX + TAG_HEX).replace(/\s+/g, ''));
  });

  it('WeChat steps with distance and calories from other wristbands', () => {
    expect(P.decodeWeChatSteps(bytes('07 bb1f00 701700 2c0100'))).toEqual({ ok: true, value: { steps: 8123, distance: 6000, calories: 300 } });
    expect(P.decodeWeChatSteps(bytes('05 bb1f00 2c0100'))).toEqual({ ok: true, value: { steps: 8123, calories: 300 } });
    expect(hex(P.encodeWeChatSteps(0x1234567))).toBe('01ffffff');
  });

  it('decodeHistoryFrame dispatches on the type byte', () => {
    expect(P.decodeHistoryFrame(bytes(DAY_HEX))).toEqual({ ok: true, value: { kind: 'day', record: DAY } });
    const end = P.decodeHistoryFrame(bytes('017f 0000 00000000 00000000'));
    expect(end).toEqual({ ok: true, value: { kind: 'end', record: { count: 0, lastSeq: 0, check: 0 } } });
    const s = P.decodeHistoryFrame(bytes('0102 2a000000' + MESSAGE_HEX + TAG_HEX));
    expect(s.ok && s.value.kind).toBe('summary');
    expect(P.decodeHistoryFrame(bytes('0103 00000000'))).toMatchObject({ ok: false, error: 'history: unknown record type 0x3' });
  });

  it("docs/protocol.md's worked example is the encoder's output", () => {
    const doc = readFileSync(new URL('../docs/protocol.md', import.meta.url), 'utf8');
    const block = doc.split('#### Worked example: one Day record')[1].split('```')[1];
    const wire = block.split('\n').map((line) => line.split(/ {2,}/)[0]).join('');
    expect(wire.replace(/\s+/g, '')).toBe(hex(P.encodeDay(DAY)));
  });

  it('UUIDs agree between Espruino and noble forms', () => {
    for (const k of Object.keys(P.UUID) as (keyof typeof P.UUID)[]) {
      expect(P.UUID[k].replace(/^0x/, '').replace(/-/g, '').toLowerCase()).toBe(P.NOBLE_UUID[k]);
    }
    expect(P.NOBLE_UUID.CURRENT_TIME).toBe('2a2b');
  });
});

describe('bad input', () => {
  it('names the problem: length, version, type, opcode, value', () => {
    expect(P.decodeToday(bytes('01 2a51 e001 bb1f0000 2a0000'))).toEqual({ ok: false, status: 1, error: 'Today: expected 13 bytes, got 12' });
    expect(P.decodeToday(bytes('01 2a51 e001 bb1f0000 2a000000 00'))).toMatchObject({ ok: false, status: P.StatusCode.BAD_LENGTH });
    expect(P.decodeToday(bytes('02 2a51 e001 bb1f0000 2a000000'))).toEqual({ ok: false, status: 6, error: 'Today: version 2 is not supported (expected 1)' });
    expect(P.decodeDay(bytes('017f 0000 00000000 00000000'))).toMatchObject({ ok: false, error: 'Day: record type 127 is not 1' });
    expect(P.decodeEnd(bytes(DAY_HEX))).toMatchObject({ ok: false, error: 'End: record type 1 is not 127' });
    expect(P.decodeDay(bytes(DAY_HEX.replace(' 03 ', ' 04 ')))).toMatchObject({ ok: false, status: P.StatusCode.BAD_VALUE });
    expect(P.decodeControl(bytes('0109'))).toEqual({ ok: false, status: 2, opcode: 9, error: 'Control: unknown opcode 9' });
    expect(P.decodeControl(bytes('0101 070000'))).toEqual({ ok: false, status: 1, opcode: 1, error: 'Control: opcode 1 takes 6 bytes, got 5' });
    expect(P.decodeControl(bytes('0201 07000000'))).toMatchObject({ ok: false, status: 6, opcode: 1 });
    expect(P.decodeControl(bytes('01'))).toMatchObject({ ok: false, status: 1, opcode: 0 });
    expect(P.decodeStatus(bytes('01050000'))).toMatchObject({ ok: false, error: 'Status: unknown target 5' });
    expect(P.decodeInfo(bytes('01 03 000200 c0ffee000001 01 3c00 00000000'))).toMatchObject({ ok: false, error: 'Info: unknown hardware 3' });
    // Watches in the field on older firmware send Info without the epoch: read, with epoch null.
    expect(P.decodeInfo(bytes('01 01 000200 c0ffee000001 01 3c00'))).toEqual({ ok: true, value: { hardware: 1, firmware: [0, 2, 0], deviceId: 'c0ffee000001', keySet: true, capacityDays: 60, epoch: null } });
    expect(P.decodeInfo(bytes('01 03 000200 c0ffee000001 01 3c00'))).toMatchObject({ ok: false, error: 'Info: unknown hardware 3' });
    expect(P.decodeInfo(bytes('01 01 000200 c0ffee000001 01 3c00 0000'))).toMatchObject({ ok: false, status: 1, error: 'Info: expected 18 bytes, got 16' });
    expect(P.decodeSummary(bytes('0102 2a000000' + MESSAGE_HEX.replace(/^01/, '04') + TAG_HEX))).toMatchObject({ ok: false, status: 6 });
    // A version 2 message in a record of version 1's length, and the other way round.
    expect(P.decodeSummary(bytes('0102 2a000000' + MESSAGE_HEX.replace(/^01/, '02') + TAG_HEX))).toMatchObject({ ok: false, status: 1, error: 'Summary: expected 49 bytes, got 41' });
    expect(P.decodeSummary(bytes('0102 2a000000' + MESSAGE_V2_HEX.replace(/^02/, '01') + TAG_HEX))).toMatchObject({ ok: false, status: 1, error: 'Summary: expected 41 bytes, got 49' });
    expect(decodeSummaryMessage(bytes(MESSAGE_HEX + '00'))).toMatchObject({ ok: false, error: 'summary message: expected 19 bytes, got 20' });
    expect(decodeSummaryMessage(bytes(MESSAGE_V2_HEX + '00'))).toMatchObject({ ok: false, error: 'summary message: expected 27 bytes, got 28' });
    expect(decodeSummaryMessage(bytes(MESSAGE_HEX.replace(/^01/, '04')))).toMatchObject({ ok: false, status: 6, error: 'summary message: version 4 is not supported (expected 1, 2 or 3)' });
    expect(P.decodeWeChatSteps(bytes('03 bb1f00'))).toMatchObject({ ok: false, error: 'WeChat steps: flags 0x3 need 7 bytes, got 4' });
    expect(P.decodeWeChatSteps(bytes('02 bb1f00'))).toMatchObject({ ok: false, status: 3 });
    expect(P.decodeWeChatTarget(bytes('00 102700'))).toMatchObject({ ok: false, status: 3 });
  });

  it('rejects impossible times', () => {
    const t = (h: string) => P.decodeCurrentTime(bytes(h));
    expect(t('e807 02 1d 00 00 00 00 00 00').ok).toBe(true); // 2024-02-29
    expect(t('e907 02 1d 00 00 00 00 00 00')).toMatchObject({ ok: false, status: 3, error: 'Current Time: no such date 2025-2-29' });
    expect(t('3008 02 1d 00 00 00 00 00 00').ok).toBe(true); // 2096-02-29: a leap year
    expect(t('e507 02 1d 00 00 00 00 00 00').ok).toBe(false); // 2021-02-29
    expect(t('ea07 04 1f 00 00 00 00 00 00').ok).toBe(false); // 31 April
    expect(t('ea07 00 01 00 00 00 00 00 00').ok).toBe(false);
    expect(t('ea07 0d 01 00 00 00 00 00 00').ok).toBe(false);
    expect(t('ea07 01 00 00 00 00 00 00 00').ok).toBe(false);
    expect(t('ea07 01 01 18 00 00 00 00 00')).toMatchObject({ ok: false, error: 'Current Time: no such time 24:0:0' });
    expect(t('ea07 01 01 17 3c 00 00 00 00').ok).toBe(false);
    expect(t('ea07 01 01 17 3b 3c 00 00 00').ok).toBe(false);
    expect(t('ea07 01 01 17 3b 3b 08 00 00').ok).toBe(false);
    expect(t('0000 01 01 00 00 00 00 00 00').ok).toBe(false); // year unknown
    // A clock outside 2020..2099 is a mistake, never the time: a reset clock, or a year that
    // would wrap the wire's u16 day (2200 would read as 2020).
    expect(t('e307 0c 1f 17 3b 3b 00 00 00')).toMatchObject({ ok: false, status: 3, error: 'Current Time: year 2019 is outside 2020..2099' });
    expect(t('e407 01 01 00 00 00 00 00 00').ok).toBe(true); // 2020-01-01
    expect(t('3308 0c 1f 17 3b 3b 00 00 00').ok).toBe(true); // 2099-12-31
    expect(t('3408 01 01 00 00 00 00 00 00')).toMatchObject({ ok: false, status: 3, error: 'Current Time: year 2100 is outside 2020..2099' });
    expect(t('9808 01 01 00 00 00 00 00 00')).toMatchObject({ ok: false, status: 3 }); // 2200
    expect(t('0f27 01 01 00 00 00 00 00 00')).toMatchObject({ ok: false, status: 3 }); // 9999
    expect(t('b207 01 01 00 00 00 00 00 00')).toMatchObject({ ok: false, status: 3 }); // 1970
    expect(t('ea07 01 01 00 00 00 00 00').ok).toBe(false);
    expect(P.decodeLocalTimeInfo(bytes('8000'))).toMatchObject({ ok: false, status: 3 }); // zone unknown
    expect(P.decodeLocalTimeInfo(bytes('3900')).ok).toBe(false);
    expect(P.decodeLocalTimeInfo(bytes('2001')).ok).toBe(false);
    expect(P.decodeLocalTimeInfo(bytes('38ff'))).toEqual({ ok: true, value: { zone: 56, dst: 255 } });
    // Zone + DST must stay inside the day record's -12 h..+14 h: +14 h with +2 h DST is refused.
    expect(P.decodeLocalTimeInfo(bytes('3808'))).toMatchObject({ ok: false, status: 3, error: 'Local Time Information: time zone 56 with DST 8 is past +14 h' });
    expect(P.decodeLocalTimeInfo(bytes('3802')).ok).toBe(false);
    expect(P.decodeLocalTimeInfo(bytes('3404'))).toEqual({ ok: true, value: { zone: 52, dst: 4 } }); // +13 h with +1 h: +14 h
    expect(P.decodeLocalTimeInfo(bytes('3408')).ok).toBe(false); // +13 h with +2 h: +15 h
    expect(P.decodeLocalTimeInfo(bytes('3008'))).toEqual({ ok: true, value: { zone: 48, dst: 8 } }); // +12 h with +2 h: +14 h
    expect(P.decodeLocalTimeInfo(bytes('d008'))).toEqual({ ok: true, value: { zone: -48, dst: 8 } }); // -12 h with +2 h
    expect(P.decodeLocalTimeInfo(bytes('d000'))).toEqual({ ok: true, value: { zone: -48, dst: 0 } });
    expect(P.decodeLocalTimeInfo(bytes('cf00')).ok).toBe(false); // -12 h 15 min
    // Every accepted frame's offset is one a day record can carry.
    for (let zone = -128; zone < 128; zone++) {
      for (let dst = 0; dst < 256; dst++) {
        const l = P.decodeLocalTimeInfo(new Uint8Array([zone & 255, dst]));
        if (l.ok) expect(Math.abs(P.localTimeOffsetMin(l.value) - 60) <= 780, `${zone} ${dst}`).toBe(true);
      }
    }
    expect(P.localTimeOffsetMin({ zone: 56, dst: 255 })).toBe(840);
    expect(P.localTimeOffsetMin({ zone: -20, dst: 4 })).toBe(-240);
  });

  const decoders: [string, (d: unknown) => P.Result<unknown>][] = [
    ['Today', P.decodeToday], ['Control', P.decodeControl], ['Status', P.decodeStatus], ['Info', P.decodeInfo],
    ['Day', P.decodeDay], ['Summary', P.decodeSummary], ['End', P.decodeEnd], ['history', P.decodeHistoryFrame],
    ['Current Time', P.decodeCurrentTime], ['Local Time Information', P.decodeLocalTimeInfo],
    ['WeChat steps', P.decodeWeChatSteps], ['WeChat target', P.decodeWeChatTarget], ['WeChat address', P.decodeWeChatAddress],
    ['summary message', decodeSummaryMessage],
  ];
  const encoders: Record<string, (v: any) => Uint8Array> = {
    Today: (t: P.Today) => P.encodeToday(t.day, t.offsetMin, t.steps, t.seq), Control: encodeControl,
    Status: (s: P.Status) => P.encodeStatus(s.target, s.opcode, s.status),
    Info: (i: P.Info) => {
      const b = P.encodeInfo(i.hardware, new Uint8Array(i.firmware), P.deviceIdBytes(i.deviceId), i.keySet, i.capacityDays, i.epoch ?? 0);
      return i.epoch === null ? b.subarray(0, P.Length.INFO_WITHOUT_EPOCH) : b;
    },
    Day: P.encodeDay,
    Summary: (s: P.SummaryRecord) => P.encodeSummary(s.seq, s.message, s.tag), End: (e: P.EndRecord) => P.encodeEnd(e.count, e.lastSeq, e.check), 'Current Time': P.encodeCurrentTime, 'Local Time Information': P.encodeLocalTimeInfo,
    'WeChat target': P.encodeWeChatTarget, 'WeChat address': P.encodeWeChatAddress, 'summary message': P.summaryMessage,
  };

  it('never throw on things that are not bytes, and accept an ArrayBuffer', () => {
    for (const [, decode] of decoders) {
      for (const junk of [undefined, null, 42, '0101', [1, 1], {}]) expect(decode(junk)).toMatchObject({ ok: false });
    }
    expect(P.decodeStatus(bytes('01010000').buffer)).toEqual({ ok: true, value: { target: 1, opcode: 0, status: 0 } });
  });

  it('survive seeded garbage, and what they accept re-encodes to the same bytes', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    let accepted = 0;
    const problems: string[] = [];
    for (let n = 0; n < 10000; n++) {
      const b = new Uint8Array(rand(72));
      for (let i = 0; i < b.length; i++) b[i] = rand(256);
      // Mostly valid headers, so the checks after version and type are reached too.
      if (b.length > 0 && rand(4) > 0) b[0] = 1;
      if (b.length > 1 && rand(2) > 0) b[1] = [1, 2, 3, 4, 0x7f][rand(5)];
      for (const [name, decode] of decoders) {
        // Plain checks in the loop: an expect() per call would make this take seconds.
        const r = decode(b);
        if (r.ok !== true && (r.ok !== false || r.error.length === 0)) problems.push(name + ' gave no result for ' + hex(b));
        if (!r.ok) continue;
        accepted++;
        const encode = encoders[name];
        if (encode && hex(encode(r.value)) !== hex(b)) problems.push(name + ' does not round-trip ' + hex(b));
      }
    }
    expect(problems).toEqual([]);
    expect(accepted).toBeGreaterThan(100);
  });
});

describe('byte helpers', () => {
  it('pack writes numbers as DataView does, and getUint/getInt read them back', () => {
    const values = [0, 1, -1, 127, -128, 255, 256, -300, 65535, 65536, 0x7fffffff, 0xffffffff, 2 ** 32 + 5, -(2 ** 33) - 7, 1.5, -1.5, NaN, Infinity];
    for (const v of values) {
      for (const size of [1, 2, 3, 4]) {
        const dv = new DataView(new ArrayBuffer(4));
        dv.setUint32(0, Number.isFinite(v) ? Math.trunc(v) % 2 ** 32 >>> 0 : 0, true);
        const expected = new Uint8Array(dv.buffer).subarray(0, size);
        const b = P.pack([7, 1, v, size]);
        expect(hex(b)).toBe('07' + hex(expected));
        expect(P.getUint(b, 1, size)).toBe(P.getUint(expected, 0, size));
        if (size === 2) expect(P.getInt(b, 1, 2)).toBe(new DataView(expected.slice().buffer).getInt16(0, true));
      }
    }
    expect(hex(P.pack([1, 1, new Uint8Array([0xaa, 0xbb]), 2, 0x0102, 2]))).toBe('01aabb0201');
  });
});

describe('CRC-32', () => {
  it('matches the standard check values and zlib', () => {
    expect(P.crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(P.crc32(new Uint8Array(0))).toBe(0);
    for (let n = 0; n < 300; n += 7) {
      const b = new Uint8Array(n).map((_, i) => (i * 37 + n) & 255);
      expect(P.crc32(b)).toBe(zlibCrc32(b));
    }
  });

  it('the End check is a CRC over the little-endian CRC of each record', () => {
    const records = [bytes(DAY_HEX), bytes('0102 2a000000' + MESSAGE_HEX + TAG_HEX)];
    const crcs = Buffer.alloc(8);
    crcs.writeUInt32LE(zlibCrc32(records[0]), 0);
    crcs.writeUInt32LE(zlibCrc32(records[1]), 4);
    expect(P.historyCheck(records)).toBe(zlibCrc32(crcs));
    const c = P.newHistoryCheck();
    P.addRecord(c, records[0]);
    P.addRecordCrc(c, zlibCrc32(records[1]));
    expect(c.count).toBe(2);
    expect(P.historyCheckValue(c)).toBe(zlibCrc32(crcs));
    expect(P.historyCheck([])).toBe(0);
  });
});

describe('HMAC-SHA256 over an injected SHA-256', () => {
  it('equals node:crypto for many key and message lengths', () => {
    for (const keyLen of [0, 1, 16, 32, 63, 64, 65, 100, 131, 200]) {
      const key = new Uint8Array(keyLen).map((_, i) => (i * 13 + keyLen) & 255);
      for (let msgLen = 0; msgLen < 150; msgLen += 11) {
        const msg = new Uint8Array(msgLen).map((_, i) => (i * 7 + 3) & 255);
        const expected = createHmac('sha256', key).update(msg).digest('hex');
        expect(hex(P.hmacSha256(nodeSha256, key, msg))).toBe(expected);
        expect(hex(P.signSummary(nodeSha256, key, msg))).toBe(expected.slice(0, 32));
      }
    }
  });

  it('passes the RFC 4231 test cases', () => {
    const ascii = (s: string) => new TextEncoder().encode(s);
    const fill = (n: number, v: number) => new Uint8Array(n).fill(v);
    const cases: [Uint8Array, Uint8Array, string][] = [
      [fill(20, 0x0b), ascii('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
      [ascii('Jefe'), ascii('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
      [fill(20, 0xaa), fill(50, 0xdd), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
      [new Uint8Array(25).map((_, i) => i + 1), fill(50, 0xcd), '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'],
      [fill(131, 0xaa), ascii('Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
      [fill(131, 0xaa), ascii('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'), '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2'],
    ];
    for (const [key, data, mac] of cases) expect(hex(P.hmacSha256(nodeSha256, key, data))).toBe(mac);
    expect(hex(P.signSummary(nodeSha256, fill(20, 0x0c), ascii('Test With Truncation')))).toBe('a3b6167473100ee06e0c796c2955552b');
  });

  it('verifySummary accepts the true tag only', () => {
    const key = new Uint8Array(32).fill(7);
    const msg = bytes(MESSAGE_HEX);
    const tag = P.signSummary(nodeSha256, key, msg);
    expect(verifySummary(key, msg, tag)).toBe(true);
    const bad = new Uint8Array(tag);
    bad[15] ^= 1;
    expect(verifySummary(key, msg, bad)).toBe(false);
    expect(verifySummary(key, msg, tag.subarray(0, 15))).toBe(false);
    expect(verifySummary(new Uint8Array(32).fill(8), msg, tag)).toBe(false);
  });
});

describe('UUIDs', () => {
  it('normalises UUIDs to noble form', () => {
    expect(P.normUuid('0x2A2B')).toBe('2a2b');
    expect(P.normUuid('00002a2b-0000-1000-8000-00805f9b34fb')).toBe('2a2b');
    expect(P.normUuid('B5750001-7e4e-4b8a-9c2f-5a1d3e6f0b01')).toBe(P.NOBLE_UUID.SERVICE);
  });

  it('NOBLE_UUID is UUID in noble form, name for name', () => {
    expect(Object.keys(P.NOBLE_UUID)).toEqual(Object.keys(P.UUID));
    expect(P.NOBLE_UUID).toMatchObject({
      SERVICE: 'b57500017e4e4b8a9c2f5a1d3e6f0b01',
      INFO: 'b57500067e4e4b8a9c2f5a1d3e6f0b01',
      CURRENT_TIME: '2a2b',
      BATTERY_SERVICE: '180f',
      WECHAT_SERVICE: 'fee7',
      WECHAT_ADDRESS: 'fec9',
      INFINITIME_MOTION_SERVICE: '0003000078fc48fe8e23433b3a1942d0',
    });
  });
});

describe('Espruino bundle', () => {
  it('the protocol bundle uses only what Espruino supports and leaves node:crypto out', async () => {
    for (const entry of ['shared/protocol/index.ts', 'shared/rewards.ts']) {
      const r = await build({ entryPoints: [entry], bundle: true, format: 'iife', target: 'es2015', minify: true, write: false, globalName: 'P' });
      const code = r.outputFiles[0].text;
      expect(checkEspruinoSubset(code)).toEqual([]);
      // Number.isInteger is missing on Espruino and the subset check does not look for it.
      expect(code).not.toMatch(/crypto|isInteger|isSafeInteger/);
    }
  });
});
