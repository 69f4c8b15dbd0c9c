// The world clock file the bridge child writes and the services' clock shim reads: 8 bytes,
// float64 little-endian, UTC ms, rewritten in place.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';

export function readClock(file: string): number {
  if (!existsSync(file)) return 0;
  const b = Buffer.alloc(8);
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, b, 0, 8, 0) === 8 ? b.readDoubleLE(0) : 0;
  } finally {
    closeSync(fd);
  }
}
