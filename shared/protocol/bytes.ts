// Results, frame checks and byte helpers shared by every encoder and decoder.
// Decoders return a Result instead of throwing: on the watch an exception in a BLE write
// handler would be lost or reset the app, and the bridge wants to log and count bad frames.

import { Length, PROTOCOL_VERSION, StatusCode } from './uuids.ts';

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

/** Tells a check's failure from its value (bytes, a number, a string: anything but null or undefined). */
export function isErr<T>(x: T | Err): x is Err {
  return (x as Err).ok === false;
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
  if (b === undefined || b.length !== length)
    return fail(StatusCode.BAD_LENGTH, name + (b === undefined ? ': expected bytes (Uint8Array or ArrayBuffer)' : ': expected ' + length + ' bytes, got ' + b.length));
  return b;
}

/**
 * A frame's fields one after the other, as pairs: a value, then its size in bytes. Every
 * multi-byte number of the protocol is little-endian; a number wraps as DataView's setters do
 * (two's complement for negatives, fractions dropped), so it takes 1..4 bytes. Bytes are copied
 * as they are, and their size must be their length. The frame is as long as the sizes add up to.
 */
export type Fields = Field[];

/**
 * One field as an encoder's positional argument: a number, or bytes already in wire order (the
 * watch passes views of its stored records, and the first `size` bytes of a view are copied).
 */
export type Field = number | Uint8Array;

/**
 * Writes `fields` into a new frame. Plain byte writes rather than a DataView per frame: the
 * encoders then are a list of fields each, which is the smallest code for the watch's flash.
 */
export function pack(fields: Fields): Uint8Array {
  let length = 0;
  for (let i = 1; i < fields.length; i += 2) length += fields[i] as number;
  const b = new Uint8Array(length);
  let at = 0;
  for (let i = 0; i < fields.length; i += 2) {
    const v = fields[i];
    // A Uint8Array stores each value modulo 256, which is the wrap DataView applies.
    for (let k = 0; k < (fields[i + 1] as number); k++) b[at++] = v instanceof Uint8Array ? v[k] : v >> (8 * k);
  }
  return b;
}

/** The unsigned little-endian number of `size` bytes (1..4) at `at`. */
export function getUint(b: Uint8Array, at: number, size: number): number {
  let n = 0;
  // From the most significant byte down.
  for (let k = size; k-- > 0; ) n = n * 256 + b[at + k];
  return n;
}

/** The signed (two's complement) little-endian number of `size` bytes (1..4) at `at`. */
export function getInt(b: Uint8Array, at: number, size: number): number {
  const unused = 32 - 8 * size;
  return (getUint(b, at, size) << unused) >> unused;
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
 * A device id (12 lower-case hex digits) as its 6 bytes, most significant first.
 * A malformed id is a configuration bug on the sending side, so this throws.
 */
export function deviceIdBytes(id: string): Uint8Array {
  if (!isDeviceId(id)) throw new Error('device id must be 12 lower-case hex digits, got ' + JSON.stringify(id));
  const b = new Uint8Array(Length.DEVICE_ID);
  for (let i = 0; i < Length.DEVICE_ID; i++) b[i] = parseInt(id.substr(i * 2, 2), 16);
  return b;
}
