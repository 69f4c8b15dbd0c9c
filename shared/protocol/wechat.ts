// WeChat wristband pedometer profile (service 0xFEE7), so WeRun can read steps directly.
// FEA1 and FEA2 start with a flags byte, then one u24 per flag bit: bit 0 steps (or target),
// bit 1 distance (m), bit 2 calories (kcal). The watch sends steps only; the decoders accept all
// three because the bridge also reads third-party wristbands.

import { asBytes, checkLength, deviceIdBytes, fail, getUint, isErr, ok, pack, toHex, type Result } from './bytes.ts';
import { Length, StatusCode, StatusTarget } from './uuids.ts';
import { checkWrite } from './writes.ts';

export interface WeChatSteps {
  steps: number;
  /** Metres, when the wristband sends it. */
  distance?: number;
  /** kcal, when the wristband sends it. */
  calories?: number;
}

const U24_MAX = 0xffffff;

/** FEA1: today's steps only (flags 0x01). */
export function encodeWeChatSteps(steps: number): Uint8Array {
  // Saturates: u24 tops out near 16.7 million, far beyond a day's steps, but never wraps to small.
  return pack([0x01, 1, steps > U24_MAX ? U24_MAX : steps, 3]);
}

export function decodeWeChatSteps(data: unknown): Result<WeChatSteps> {
  const b = asBytes(data);
  if (b === undefined || b.length === 0) return fail(StatusCode.BAD_LENGTH, 'WeChat steps: expected bytes, got none');
  const flags = b[0];
  if ((flags & 1) === 0 || flags > 7) return fail(StatusCode.BAD_VALUE, 'WeChat steps: flags 0x' + flags.toString(16) + ' (bit 0 must be set, bits 3..7 clear)');
  const length = 4 + (flags & 2 ? 3 : 0) + (flags & 4 ? 3 : 0);
  if (b.length !== length) return fail(StatusCode.BAD_LENGTH, 'WeChat steps: flags 0x' + flags.toString(16) + ' need ' + length + ' bytes, got ' + b.length);
  const r: WeChatSteps = { steps: getUint(b, 1, 3) };
  let at = 4;
  if (flags & 2) {
    r.distance = getUint(b, at, 3);
    at += 3;
  }
  if (flags & 4) r.calories = getUint(b, at, 3);
  return ok(r);
}

/** FEA2: the step target (flags 0x01), laid out like FEA1 with steps only. */
export const encodeWeChatTarget: (target: number) => Uint8Array = encodeWeChatSteps;

/** The watch accepts it (writes.ts): flags 0x01, then the target. */
export function decodeWeChatTarget(data: unknown): Result<number> {
  const b = asBytes(data);
  const e = checkWrite(StatusTarget.WECHAT_TARGET, b);
  return e || ok(getUint(b as Uint8Array, 1, 3));
}

/** FEC9: the device address, which is the device id's 6 bytes, most significant first. */
export const encodeWeChatAddress: (deviceId: string) => Uint8Array = deviceIdBytes;

export function decodeWeChatAddress(data: unknown): Result<string> {
  const b = checkLength(data, 'WeChat address', Length.DEVICE_ID);
  if (isErr(b)) return b;
  return ok(toHex(b, 0, 6));
}
