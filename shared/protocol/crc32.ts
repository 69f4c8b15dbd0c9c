// CRC-32 as zlib and Ethernet compute it (reflected polynomial 0xEDB88320, register starts at
// all ones, result inverted). Espruino's native E.CRC32 gives the same value, so the watch may
// use either; this pure version is for the bridge, tests and builds without E.CRC32.

const POLY = 0xedb88320;
let table: Int32Array | undefined;

// Built on first use: 1 KB the watch only pays for when a transfer actually runs.
function getTable(): Int32Array {
  if (table === undefined) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  return table;
}

/** Feeds bytes into a raw CRC register (not inverted), for running CRCs. */
export function crc32Update(register: number, bytes: Uint8Array): number {
  const t = getTable();
  let c = register;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 255] ^ (c >>> 8);
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

const word = new Uint8Array(4);

/** Adds a record by its own CRC-32 (from crc32 or E.CRC32). */
export function addRecordCrc(check: HistoryCheck, recordCrc: number): void {
  word[0] = recordCrc & 255;
  word[1] = (recordCrc >>> 8) & 255;
  word[2] = (recordCrc >>> 16) & 255;
  word[3] = (recordCrc >>> 24) & 255;
  check.register = crc32Update(check.register, word);
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
