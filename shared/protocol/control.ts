// Control writes from the bridge. The decoder's errors carry the opcode too, so the watch can
// answer every bad write with a complete Status frame.

import { asBytes, fail, frame, ok, view, type Err, type Ok } from './bytes.ts';
import { Length, Opcode, PROTOCOL_VERSION, StatusCode } from './uuids.ts';

export type Control =
  | { opcode: typeof Opcode.SEND_FROM; seq: number }
  | { opcode: typeof Opcode.ACK; seq: number }
  | { opcode: typeof Opcode.SET_KEY; key: Uint8Array }
  | { opcode: typeof Opcode.ABORT };

export type ControlError = Err & { opcode: number };
export type ControlResult = Ok<Control> | ControlError;

function seqFrame(opcode: number, seq: number): Uint8Array {
  const b = frame(6);
  b[1] = opcode;
  view(b).setUint32(2, seq, true);
  return b;
}

export function encodeSendFrom(seq: number): Uint8Array {
  return seqFrame(Opcode.SEND_FROM, seq);
}

export function encodeAck(seq: number): Uint8Array {
  return seqFrame(Opcode.ACK, seq);
}

/** Throws on a key that is not 32 bytes: sending a short key would brick signing until reset. */
export function encodeSetKey(key: Uint8Array): Uint8Array {
  if (key.length !== Length.KEY) throw new Error('SET_KEY: the key must be ' + Length.KEY + ' bytes, got ' + key.length);
  const b = frame(2 + Length.KEY);
  b[1] = Opcode.SET_KEY;
  b.set(key, 2);
  return b;
}

export function encodeAbort(): Uint8Array {
  const b = frame(2);
  b[1] = Opcode.ABORT;
  return b;
}

export function encodeControl(c: Control): Uint8Array {
  if (c.opcode === Opcode.SEND_FROM) return encodeSendFrom(c.seq);
  if (c.opcode === Opcode.ACK) return encodeAck(c.seq);
  if (c.opcode === Opcode.SET_KEY) return encodeSetKey(c.key);
  return encodeAbort();
}

function controlFail(status: number, opcode: number, error: string): ControlError {
  const e = fail(status, 'Control: ' + error) as ControlError;
  e.opcode = opcode;
  return e;
}

/** Length of each opcode's frame, indexed by opcode. */
const CONTROL_LENGTH = [0, 6, 6, 2 + Length.KEY, 2];

export function decodeControl(data: unknown): ControlResult {
  const b = asBytes(data);
  if (b === undefined) return controlFail(StatusCode.BAD_LENGTH, 0, 'expected bytes (Uint8Array or ArrayBuffer)');
  if (b.length < 2) return controlFail(StatusCode.BAD_LENGTH, 0, 'expected at least 2 bytes, got ' + b.length);
  const op = b[1];
  if (b[0] !== PROTOCOL_VERSION) return controlFail(StatusCode.BAD_VERSION, op, 'version ' + b[0] + ' is not supported (expected ' + PROTOCOL_VERSION + ')');
  if (op < 1 || op > 4) return controlFail(StatusCode.UNKNOWN_OPCODE, op, 'unknown opcode ' + op);
  if (b.length !== CONTROL_LENGTH[op]) return controlFail(StatusCode.BAD_LENGTH, op, 'opcode ' + op + ' takes ' + CONTROL_LENGTH[op] + ' bytes, got ' + b.length);
  if (op === Opcode.SEND_FROM || op === Opcode.ACK) return ok({ opcode: op, seq: view(b).getUint32(2, true) });
  // A copy, so the key outlives the BLE stack's buffer.
  if (op === Opcode.SET_KEY) return ok({ opcode: op, key: new Uint8Array(b.subarray(2, 2 + Length.KEY)) });
  return ok({ opcode: Opcode.ABORT });
}
