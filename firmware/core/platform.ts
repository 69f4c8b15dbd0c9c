// What the hardware-free core needs from a board: a clock, a Storage, hashes, BLE and timers.
// Plain numbers and byte arrays in and out, so the same core runs on the Bangle.js 2, the
// Puck.js v2 and in Node tests. An adapter must never throw out of these: a failed Storage
// write returns false and the core degrades (keeps counting in RAM) instead of crashing.

export interface Platform {
  /** Wall clock, UTC milliseconds. */
  now(): number;
  /** The UTC offset in force, minutes east. */
  offsetMin(): number;
  /** Sets the wall clock and the offset (setTime and E.setTimeZone on Espruino). */
  setClock(utcMs: number, offsetMin: number): void;
  /** The whole Storage file, or undefined when there is none. May be a view of flash: never written to. */
  map(name: string): Uint8Array | undefined;
  /** Storage.write: size > 0 with offset 0 creates a file of that size (0xFF filled). False on failure. */
  write(name: string, data: Uint8Array, offset: number, size: number): boolean;
  erase(name: string): void;
  crc32(data: Uint8Array): number;
  sha256(data: Uint8Array): Uint8Array;
  /** Sets a characteristic's value and notifies it when `notify` and someone listens. */
  update(char: number, data: Uint8Array, notify: boolean): void;
  /** Runs fn after ms (setTimeout). */
  later(fn: () => void, ms: number): void;
}

/** The step goal set over WeChat FEA2 (u32 LE), kept across app loads and reboots. */
export const GOAL_FILE = 'bushu.goal';

/** Characteristics the core updates, by number (the adapter maps them to UUIDs). */
export const Char = {
  TODAY: 1,
  HISTORY: 2,
  STATUS: 3,
  INFO: 4,
  WECHAT_STEPS: 5,
  WECHAT_TARGET: 6,
} as const;

/** Reads a little-endian u32 (records are parsed from flash without a DataView per read). */
export function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

export function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

export function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 255;
  b[at + 1] = (v >> 8) & 255;
  b[at + 2] = (v >> 16) & 255;
  b[at + 3] = (v >> 24) & 255;
}

export function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 255;
  b[at + 1] = (v >> 8) & 255;
}

/** Signed 16-bit read, for UTC offsets. */
export function i16(b: Uint8Array, at: number): number {
  const v = u16(b, at);
  return v > 32767 ? v - 65536 : v;
}
