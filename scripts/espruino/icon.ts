// The app icon, drawn from a formula rather than shipped as a binary: two footprints on 48x48.
// Written as an Espruino image (bushu.img: width, height, bpp, then bits MSB first) for the
// launcher, and as a PNG (bushu.png) for the App Loader's web page.

import { deflateSync } from 'node:zlib';
import { crc32 } from '../../shared/protocol/crc32.ts';

const SIZE = 48;

/** True where the icon is ink: two tilted soles with three toes each. */
function ink(x: number, y: number): boolean {
  const blob = (cx: number, cy: number, rx: number, ry: number) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
  const foot = (cx: number, cy: number) =>
    blob(cx, cy, 5, 9) || blob(cx - 4, cy - 13, 1.8, 1.8) || blob(cx, cy - 14, 1.8, 1.8) || blob(cx + 4, cy - 13, 1.8, 1.8);
  return foot(15, 32) || foot(33, 22);
}

export function iconImage(): Uint8Array {
  const out = new Uint8Array(3 + (SIZE * SIZE) / 8);
  out[0] = SIZE;
  out[1] = SIZE;
  out[2] = 1;
  for (let i = 0; i < SIZE * SIZE; i++) if (ink(i % SIZE, Math.floor(i / SIZE))) out[3 + (i >> 3)] |= 0x80 >> (i & 7);
  return out;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const body = Buffer.concat([head.subarray(4), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([head.subarray(0, 4), body, crc]);
}

/** An 8-bit RGB PNG of `width` x `height` pixels, `rgb` row by row (3 bytes a pixel). */
export function rgbPng(width: number, height: number, rgb: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2; // truecolour
  const rows = Buffer.alloc(height * (1 + 3 * width));
  for (let y = 0; y < height; y++) rows.set(rgb.subarray(3 * width * y, 3 * width * (y + 1)), y * (1 + 3 * width) + 1);
  const sig = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', new Uint8Array(0))]);
}

export function iconPng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr[8] = 8; // 8-bit grey
  ihdr[9] = 0;
  const rows = Buffer.alloc(SIZE * (SIZE + 1));
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) rows[y * (SIZE + 1) + 1 + x] = ink(x, y) ? 0 : 255;
  const sig = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', new Uint8Array(0))]);
}
