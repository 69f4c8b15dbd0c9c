// SHA-256 of a whole input in one call (Node only: never bundled into the firmware). Node 20.12
// and later have crypto.hash, which skips building a Hash object: for the short inputs hashed on
// every delivery (a request body, a key, a day's hours) it costs about half of createHash's
// 3 µs. Older Node 20 releases, which package.json still admits, take the streaming API.
import * as crypto from 'node:crypto';

type OneCall = (algorithm: string, data: string | Uint8Array, outputEncoding: 'hex') => string;

/** sha256Hex on a Node whose one-call hash is `hash` (undefined: it has none). */
export function sha256HexOn(hash: OneCall | undefined): (data: string | Uint8Array) => string {
  if (hash !== undefined) return (data) => hash('sha256', data, 'hex');
  return (data) => crypto.createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of data (a string is hashed as UTF-8), as 64 lower-case hex digits. */
export const sha256Hex = sha256HexOn((crypto as unknown as { hash?: OneCall }).hash);

/** SHA-256 of data, as 32 bytes. */
export const sha256 = (data: string | Uint8Array): Buffer => Buffer.from(sha256Hex(data), 'hex');
