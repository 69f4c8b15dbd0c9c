// Results, frame checks and byte helpers shared by every encoder and decoder.
// Decoders return a Result instead of throwing: on the watch an exception in a BLE write
// handler would be lost or reset the app, and the bridge wants to log and count bad frames.

import { PROTOCOL_VERSION, StatusCode } from './uuids.ts';

export interface Ok<T> {
  ok: true;
  value: T;
}
/** `status` is the protocol status code the watch answers with (BAD_LENGTH, BAD_VALUE, …). */
export interface Err {
  ok: false;
  error: string;
  status: number;
}
export type Result<T> = Ok<T> | Err;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value: value };
}

export function fail(status: number, error: string): Err {
  return { ok: false, error: error, status: status };
}

export function isErr(x: unknown): x is Err {
  return typeof x === 'object' && x !== null && (x as Err).ok === false;
}

/** Accepts what arrives from noble (Buffer) and from Espruino's onWrite (ArrayBuffer). */
export function asBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return undefined;
}

/**
 * The checks every versioned frame gets before a byte of its body is read: bytes at all,
 * the version (first, so a v2 frame says "version" rather than "length"), then the length.
 */
export function checkFrame(data: unknown, name: string, length: number): Uint8Array | Err {
  const b = asBytes(data);
  if (b === undefined) return fail(StatusCode.BAD_LENGTH, name + ': expected bytes (Uint8Array or ArrayBuffer)');
  if (b.length === 0) return fail(StatusCode.BAD_LENGTH, name + ': empty payload');
  if (b[0] !== PROTOCOL_VERSION) return fail(StatusCode.BAD_VERSION, name + ': version ' + b[0] + ' is not supported (expected ' + PROTOCOL_VERSION + ')');
  if (b.length !== length) return fail(StatusCode.BAD_LENGTH, name + ': expected ' + length + ' bytes, got ' + b.length);
  return b;
}

/** Length-only check for the Bluetooth SIG and WeChat payloads, which carry no version byte. */
export function checkLength(data: unknown, name: string, length: number): Uint8Array | Err {
  const b = asBytes(data);
  if (b === undefined) return fail(StatusCode.BAD_LENGTH, name + ': expected bytes (Uint8Array or ArrayBuffer)');
  if (b.length !== length) return fail(StatusCode.BAD_LENGTH, name + ': expected ' + length + ' bytes, got ' + b.length);
  return b;
}

/** A little-endian view; every multi-byte field of the protocol is little-endian. */
export function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** A new frame with the version byte already written. */
export function frame(length: number): Uint8Array {
  const b = new Uint8Array(length);
  b[0] = PROTOCOL_VERSION;
  return b;
}

const HEX = '0123456789abcdef';
// No counted quantifier ({12}): Espruino's regular expressions silently fail to match them.
const HEX_DIGITS = /^[0-9a-f]+$/;

/** `n` bytes from `at` as lower-case hex. */
export function toHex(b: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = at; i < at + n; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  return s;
}

export function isDeviceId(id: unknown): id is string {
  return typeof id === 'string' && id.length === 12 && HEX_DIGITS.test(id);
}

/**
 * Writes a device id (12 lower-case hex digits, most significant byte first).
 * A malformed id is a configuration bug on the sending side, so this throws.
 */
export function writeDeviceId(b: Uint8Array, at: number, id: string): void {
  if (!isDeviceId(id)) throw new Error('device id must be 12 lower-case hex digits, got ' + JSON.stringify(id));
  for (let i = 0; i < 6; i++) b[at + i] = parseInt(id.substr(i * 2, 2), 16);
}

/** "aa:bb:cc:dd:ee:ff public" (NRF.getAddress) or "AA:BB:…" to a device id. */
export function deviceIdFromAddress(address: string): string {
  return address.split(' ')[0].split(':').join('').toLowerCase();
}
