// WeChat wristband pedometer profile (service 0xFEE7), so WeRun can read steps directly.
// FEA1 and FEA2 start with a flags byte, then one u24 per flag bit: bit 0 steps (or target),
// bit 1 distance (m), bit 2 calories (kcal). The watch sends steps only; the decoders accept all
// three because the bridge also reads third-party wristbands.

import { asBytes, checkLength, fail, isErr, ok, toHex, writeDeviceId, type Result } from './bytes.ts';
import { Length, StatusCode } from './uuids.ts';

export interface WeChatSteps {
  steps: number;
  /** Metres, when the wristband sends it. */
  distance?: number;
  /** kcal, when the wristband sends it. */
  calories?: number;
}

const U24_MAX = 0xffffff;

function putU24(b: Uint8Array, at: number, n: number): void {
  // Saturates: u24 tops out near 16.7 million, far beyond a day's steps, but never wraps to small.
  const v = n > U24_MAX ? U24_MAX : n;
  b[at] = v & 255;
  b[at + 1] = (v >> 8) & 255;
  b[at + 2] = (v >> 16) & 255;
}

function getU24(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
}

function u24Frame(value: number): Uint8Array {
  const b = new Uint8Array(4);
  b[0] = 0x01;
  putU24(b, 1, value);
  return b;
}

/** FEA1: today's steps only (flags 0x01). */
export function encodeWeChatSteps(steps: number): Uint8Array {
  return u24Frame(steps);
}

export function decodeWeChatSteps(data: unknown): Result<WeChatSteps> {
  const b = asBytes(data);
  if (b === undefined || b.length === 0) return fail(StatusCode.BAD_LENGTH, 'WeChat steps: expected bytes, got none');
  const flags = b[0];
  if ((flags & 1) === 0 || flags > 7) return fail(StatusCode.BAD_VALUE, 'WeChat steps: flags 0x' + flags.toString(16) + ' (bit 0 must be set, bits 3..7 clear)');
  const length = 4 + (flags & 2 ? 3 : 0) + (flags & 4 ? 3 : 0);
  if (b.length !== length) return fail(StatusCode.BAD_LENGTH, 'WeChat steps: flags 0x' + flags.toString(16) + ' need ' + length + ' bytes, got ' + b.length);
  const r: WeChatSteps = { steps: getU24(b, 1) };
  let at = 4;
  if (flags & 2) {
    r.distance = getU24(b, at);
    at += 3;
  }
  if (flags & 4) r.calories = getU24(b, at);
  return ok(r);
}

/** FEA2: the step target (flags 0x01). */
export function encodeWeChatTarget(target: number): Uint8Array {
  return u24Frame(target);
}

export function decodeWeChatTarget(data: unknown): Result<number> {
  const b = checkLength(data, 'WeChat target', 4);
  if (isErr(b)) return b;
  if (b[0] !== 0x01) return fail(StatusCode.BAD_VALUE, 'WeChat target: flags 0x' + b[0].toString(16) + ' (expected 0x01)');
  return ok(getU24(b, 1));
}

/** FEC9: the device address, most significant byte first like the device id. */
export function encodeWeChatAddress(deviceId: string): Uint8Array {
  const b = new Uint8Array(Length.DEVICE_ID);
  writeDeviceId(b, 0, deviceId);
  return b;
}

export function decodeWeChatAddress(data: unknown): Result<string> {
  const b = checkLength(data, 'WeChat address', Length.DEVICE_ID);
  if (isErr(b)) return b;
  return ok(toHex(b, 0, 6));
}
