// Reads a watch's history file the way the firmware's scan does (firmware/core/records.ts):
// 16-byte units, each record a type byte, its fields and a CRC-32 of the rest. Only what the
// fault oracle needs: closed days, the acknowledged seq and the epoch.
import { crc32 } from '../../sim/espruino/natives.ts';
import type { SimStorage } from '../../sim/espruino/storage.ts';

const UNIT = 16;
const SIZES: Record<number, number> = { 0xb0: 16, 0xb1: 96, 0xb2: 16, 0xb3: 32 };
const SIGNED = 2;

export interface FlashDay {
  day: number;
  seq: number;
  steps: number;
  signed: boolean;
  offsetMin: number;
}

export interface FlashHistory {
  epoch: number;
  acked: number;
  days: FlashDay[];
}

const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
const u16 = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);

export function readFlashHistory(storage: SimStorage): FlashHistory {
  const out: FlashHistory = { epoch: 0, acked: 0, days: [] };
  for (const name of ['bushu.hist0', 'bushu.hist1']) {
    const b = storage.readBytes(name);
    if (b === undefined) continue;
    for (let at = 0; at + UNIT <= b.length; ) {
      const size = SIZES[b[at]] ?? 0;
      const ok = size > 0 && at + size <= b.length && crc32(b.subarray(at, at + size - 4)) >>> 0 === u32(b, at + size - 4);
      if (!ok) {
        at += UNIT;
        continue;
      }
      const t = b[at];
      if (t === 0xb0) out.epoch = u32(b, at + 8);
      if (t === 0xb3) out.acked = Math.max(out.acked, u32(b, at + 12));
      if (t === 0xb1) {
        const off = u16(b, at + 8);
        out.days.push({ day: u16(b, at + 2), seq: u32(b, at + 4), steps: u32(b, at + 12), signed: (b[at + 1] & SIGNED) !== 0, offsetMin: off >= 0x8000 ? off - 0x10000 : off });
      }
      at += size;
    }
  }
  return out;
}
