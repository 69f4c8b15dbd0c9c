// CRC-32 as zlib and Ethernet compute it (reflected polynomial 0xEDB88320, register starts at
// all ones, result inverted). Espruino's native E.CRC32 gives the same value, so the watch may
// use either; this pure version is for the bridge, tests and builds without E.CRC32.

const POLY = 0xedb88320;

/**
 * Shifts `bits` bits out of a raw CRC register, bit by bit. No 1 KB lookup table: the watch
 * would have to build it (2048 steps at the first transfer) and then keep it in RAM, while the
 * End check it serves feeds only 4 bytes per record.
 */
function shiftOut(c: number, bits: number): number {
  for (let k = 0; k < bits; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1;
  return c;
}

/** Feeds bytes into a raw CRC register (not inverted), for running CRCs. */
export function crc32Update(register: number, bytes: Uint8Array): number {
  let c = register;
  for (let i = 0; i < bytes.length; i++) c = shiftOut(c ^ bytes[i], 8);
  return c;
}

/** CRC-32 of `bytes` as an unsigned 32-bit number (zlib's crc32(0, bytes)). */
export function crc32(bytes: Uint8Array): number {
  return ~crc32Update(-1, bytes) >>> 0;
}

/**
 * The End record's check, built record by record: a CRC-32 over the 4-byte little-endian
 * CRC-32 of each record sent. Holding only this state, neither side keeps the transfer in memory.
 */
export interface HistoryCheck {
  /** Raw register of the outer CRC. */
  register: number;
  /** Records added so far. */
  count: number;
}

export function newHistoryCheck(): HistoryCheck {
  return { register: -1, count: 0 };
}

/**
 * The raw register after adding a record by its own CRC-32 (from crc32 or E.CRC32). Feeding its
 * 4 little-endian bytes one by one equals XORing all 32 bits into the register at once and
 * shifting them all out: each byte reaches the low end of the register exactly when its turn
 * would have come. The watch keeps the register as a plain number (the End check is its
 * inverse, ~register, written as a u32).
 */
export function addRecordCrcTo(register: number, recordCrc: number): number {
  return shiftOut(register ^ recordCrc, 32);
}

/** Adds a record by its own CRC-32. */
export function addRecordCrc(check: HistoryCheck, recordCrc: number): void {
  check.register = addRecordCrcTo(check.register, recordCrc);
  check.count++;
}

/** Adds a whole record frame as sent on `history`. */
export function addRecord(check: HistoryCheck, record: Uint8Array): void {
  addRecordCrc(check, crc32(record));
}

/** The value of the End record's check field for the records added so far. */
export function historyCheckValue(check: HistoryCheck): number {
  return ~check.register >>> 0;
}

/** The check of a complete list of records, in the order sent. */
export function historyCheck(records: Uint8Array[]): number {
  const c = newHistoryCheck();
  for (let i = 0; i < records.length; i++) addRecord(c, records[i]);
  return historyCheckValue(c);
}
