// Control writes from the bridge. The decoder's errors carry the opcode too, so the watch can
// answer every bad write with a complete Status frame.

import { asBytes, getUint, ok, pack, type Err, type Ok } from './bytes.ts';
import { Length, Opcode, PROTOCOL_VERSION, StatusTarget } from './uuids.ts';
import { checkWrite } from './writes.ts';

export type Control =
  | { opcode: typeof Opcode.SEND_FROM; seq: number }
  | { opcode: typeof Opcode.SEND_OPEN; seq: number }
  | { opcode: typeof Opcode.ACK; seq: number }
  | { opcode: typeof Opcode.SET_KEY; key: Uint8Array }
  | { opcode: typeof Opcode.ABORT };

export type ControlError = Err & { opcode: number };
export type ControlResult = Ok<Control> | ControlError;

export function encodeSendFrom(seq: number): Uint8Array {
  return pack([PROTOCOL_VERSION, 1, Opcode.SEND_FROM, 1, seq, 4]);
}

/** SEND_FROM, and the open day after the stored records (firmware since the version 3 summary). */
export function encodeSendOpen(seq: number): Uint8Array {
  return pack([PROTOCOL_VERSION, 1, Opcode.SEND_OPEN, 1, seq, 4]);
}

export function encodeAck(seq: number): Uint8Array {
  return pack([PROTOCOL_VERSION, 1, Opcode.ACK, 1, seq, 4]);
}

/** Throws on a key that is not 32 bytes: sending a short key would brick signing until reset. */
export function encodeSetKey(key: Uint8Array): Uint8Array {
  if (key.length !== Length.KEY) throw new Error('SET_KEY: the key must be ' + Length.KEY + ' bytes, got ' + key.length);
  return pack([PROTOCOL_VERSION, 1, Opcode.SET_KEY, 1, key, Length.KEY]);
}

export function encodeAbort(): Uint8Array {
  return pack([PROTOCOL_VERSION, 1, Opcode.ABORT, 1]);
}

/** The checks are writes.ts's, which the watch runs too. */
export function decodeControl(data: unknown): ControlResult {
  const b = asBytes(data);
  const e = checkWrite(StatusTarget.CONTROL, b);
  if (e) return e as ControlError;
  const v = b as Uint8Array;
  const op = v[1];
  // A copy, so the key outlives the BLE stack's buffer.
  if (op === Opcode.SET_KEY) return ok({ opcode: op, key: new Uint8Array(v.subarray(2, 2 + Length.KEY)) });
  if (op === Opcode.ABORT) return ok({ opcode: op });
  return ok({ opcode: op as Opcode.SEND_FROM | Opcode.ACK | Opcode.SEND_OPEN, seq: getUint(v, 2, 4) });
}
