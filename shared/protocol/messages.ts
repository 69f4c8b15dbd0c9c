// Today, Status and Info: the small fixed frames of the bushu service.

import { checkFrame, fail, frame, isErr, ok, toHex, view, writeDeviceId, type Result } from './bytes.ts';
import { Length, StatusCode } from './uuids.ts';

export interface Today {
  day: number;
  offsetMin: number;
  steps: number;
  /** seq of the newest history record. */
  seq: number;
}

export function encodeToday(t: Today): Uint8Array {
  const b = frame(Length.TODAY);
  const v = view(b);
  v.setUint16(1, t.day, true);
  v.setInt16(3, t.offsetMin, true);
  v.setUint32(5, t.steps, true);
  v.setUint32(9, t.seq, true);
  return b;
}

export function decodeToday(data: unknown): Result<Today> {
  const b = checkFrame(data, 'Today', Length.TODAY);
  if (isErr(b)) return b;
  const v = view(b);
  return ok({ day: v.getUint16(1, true), offsetMin: v.getInt16(3, true), steps: v.getUint32(5, true), seq: v.getUint32(9, true) });
}

export interface Status {
  /** StatusTarget: which write this answers. */
  target: number;
  /** Opcode of that write, 0 when the target has none. */
  opcode: number;
  /** StatusCode. */
  status: number;
}

export function encodeStatus(s: Status): Uint8Array {
  const b = frame(Length.STATUS);
  b[1] = s.target;
  b[2] = s.opcode;
  b[3] = s.status;
  return b;
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
}

export function encodeInfo(i: Info): Uint8Array {
  const b = frame(Length.INFO);
  b[1] = i.hardware;
  b[2] = i.firmware[0];
  b[3] = i.firmware[1];
  b[4] = i.firmware[2];
  writeDeviceId(b, 5, i.deviceId);
  b[11] = i.keySet ? 1 : 0;
  view(b).setUint16(12, i.capacityDays, true);
  return b;
}

export function decodeInfo(data: unknown): Result<Info> {
  const b = checkFrame(data, 'Info', Length.INFO);
  if (isErr(b)) return b;
  if (b[1] < 1 || b[1] > 2) return fail(StatusCode.BAD_VALUE, 'Info: unknown hardware ' + b[1]);
  if (b[11] > 1) return fail(StatusCode.BAD_VALUE, 'Info: unknown flags 0x' + b[11].toString(16));
  return ok({
    hardware: b[1],
    firmware: [b[2], b[3], b[4]],
    deviceId: toHex(b, 5, 6),
    keySet: (b[11] & 1) === 1,
    capacityDays: view(b).getUint16(12, true),
  });
}
