// Today, Status and Info: the small fixed frames of the bushu service.

import { asBytes, checkFrame, fail, getInt, getUint, isErr, ok, pack, toHex, type Result } from './bytes.ts';
import { Length, PROTOCOL_VERSION, StatusCode } from './uuids.ts';

export interface Today {
  day: number;
  offsetMin: number;
  steps: number;
  /** seq of the newest history record. */
  seq: number;
}

/** The fields as plain arguments: the watch builds this frame every minute from its own numbers. */
export function encodeToday(day: number, offsetMin: number, steps: number, seq: number): Uint8Array {
  return pack([PROTOCOL_VERSION, 1, day, 2, offsetMin, 2, steps, 4, seq, 4]);
}

export function decodeToday(data: unknown): Result<Today> {
  const b = checkFrame(data, 'Today', Length.TODAY);
  if (isErr(b)) return b;
  return ok({ day: getUint(b, 1, 2), offsetMin: getInt(b, 3, 2), steps: getUint(b, 5, 4), seq: getUint(b, 9, 4) });
}

export interface Status {
  /** StatusTarget: which write this answers. */
  target: number;
  /** Opcode of that write, 0 when the target has none. */
  opcode: number;
  /** StatusCode. */
  status: number;
}

/** Plain arguments: the watch answers every write with one. */
export function encodeStatus(target: number, opcode: number, status: number): Uint8Array {
  return pack([PROTOCOL_VERSION, 1, target, 1, opcode, 1, status, 1]);
}

export function decodeStatus(data: unknown): Result<Status> {
  const b = checkFrame(data, 'Status', Length.STATUS);
  if (isErr(b)) return b;
  if (b[1] < 1 || b[1] > 4) return fail(StatusCode.BAD_VALUE, 'Status: unknown target ' + b[1]);
  if (b[3] > StatusCode.BAD_VERSION) return fail(StatusCode.BAD_VALUE, 'Status: unknown status ' + b[3]);
  return ok({ target: b[1], opcode: b[2], status: b[3] });
}

export interface Info {
  /** Hardware: 1 Bangle.js 2, 2 Puck.js v2. */
  hardware: number;
  /** [major, minor, patch]. */
  firmware: number[];
  /** 12 lower-case hex digits. */
  deviceId: string;
  keySet: boolean;
  capacityDays: number;
  /**
   * The history's epoch: a random u32 drawn when the watch created its history file (first
   * install, factory wipe), so seqs are only comparable within one epoch. Null from firmware that
   * sends the older 14-byte Info; 0 from a watch whose history file predates epochs.
   */
  epoch: number | null;
}

/**
 * Plain arguments, as the watch holds them: `firmware` is its 3 version bytes (major, minor,
 * patch), `deviceId` its 6 bytes (deviceIdBytes turns the 12 hex digits into them).
 */
export function encodeInfo(hardware: number, firmware: Uint8Array, deviceId: Uint8Array, keySet: boolean, capacityDays: number, epoch: number): Uint8Array {
  return pack([PROTOCOL_VERSION, 1, hardware, 1, firmware, 3, deviceId, Length.DEVICE_ID, keySet ? 1 : 0, 1, capacityDays, 2, epoch, 4]);
}

/** Reads both lengths: the 18-byte Info, and the 14 bytes (no epoch) of watches in the field on older firmware. */
export function decodeInfo(data: unknown): Result<Info> {
  const raw = asBytes(data);
  const b = checkFrame(data, 'Info', raw !== undefined && raw.length === Length.INFO_WITHOUT_EPOCH ? Length.INFO_WITHOUT_EPOCH : Length.INFO);
  if (isErr(b)) return b;
  if (b[1] < 1 || b[1] > 2) return fail(StatusCode.BAD_VALUE, 'Info: unknown hardware ' + b[1]);
  if (b[11] > 1) return fail(StatusCode.BAD_VALUE, 'Info: unknown flags 0x' + b[11].toString(16));
  return ok({
    hardware: b[1],
    firmware: [b[2], b[3], b[4]],
    deviceId: toHex(b, 5, 6),
    keySet: (b[11] & 1) === 1,
    capacityDays: getUint(b, 12, 2),
    epoch: b.length === Length.INFO ? getUint(b, 14, 4) : null,
  });
}
