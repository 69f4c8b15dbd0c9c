// The App Loader page's logic (interface.html): the watch's history file, as the loader reads
// it over its own connection (a binary string per Storage file), turned into CSV. Kept apart
// from the page so that it is tested in Node; the build bundles it into interface.html.
//
// Reading the file on the computer, not asking the watch: the watch spends nothing but the
// transfer, and nothing depends on the names the build gives the running core's properties.

import { crc32 } from '../../../shared/protocol/crc32.ts';
import { dateString } from '../../../shared/days.ts';
import { DayFlag } from '../../../shared/protocol/uuids.ts';

// The record layout of firmware/core/records.ts (and the file names of core/history.ts),
// restated: those modules reach Espruino's Storage as soon as they are loaded, which neither a
// browser nor Node has. test/apploader.test.ts reads files that the firmware wrote, so a change
// there that is not made here fails it.
const UNIT = 16;
const T_FILE = 0xb0;
const T_DAY = 0xb1;
const T_CP = 0xb2;
/** Record sizes by type, T_FILE to T_STATE. */
const SIZES = [UNIT, 96, UNIT, 32];
const FILE_GENERATION = 4;
const DAY = { FLAGS: 1, DAY: 2, SEQ: 4, OFFSET: 8, STEPS: 12, NOT_WORN: 16, HOURS: 20 };
const CHECKPOINT = { HOUR: 1, DAY: 2, OFFSET: 4, STEPS: 6 };

/** The Storage files the page reads, in the order historyCsv takes them. */
export const HISTORY_FILES = ['bushu.hist0', 'bushu.hist1'];

export const CSV_HEADER =
  'Date,Steps,Status,Seq,UTC offset (min),Hours not worn,' + Array.from({ length: 24 }, (_, h) => 'H' + (h < 10 ? '0' : '') + h).join(',');

/** A Storage file as Util.readStorage delivers it (one character per byte; "" when missing). */
export function bytesOf(data: string | undefined): Uint8Array | undefined {
  if (!data) return undefined;
  const b = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) b[i] = data.charCodeAt(i) & 255;
  return b;
}

const u = (b: Uint8Array, at: number, n: number): number => {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[at + i];
  return v;
};

/** The size of the sealed record at `at`, or 0 (the watch's own rule, firmware/core/records.ts). */
function recordAt(b: Uint8Array, at: number): number {
  const size = SIZES[b[at] - T_FILE];
  return size > 0 && at + size <= b.length && crc32(b.subarray(at, at + size - 4)) === u(b, at + size - 4, 4) ? size : 0;
}

/**
 * The live file of the two, as the watch picks it at boot: a history file by its generation,
 * the older one winning when a compaction was cut short (the newer may be incomplete).
 */
export function liveFile(files: (Uint8Array | undefined)[]): Uint8Array | undefined {
  let best: Uint8Array | undefined;
  let rank = Infinity;
  for (const b of files) {
    if (!b || b[0] !== T_FILE || !recordAt(b, 0)) continue;
    const gen = u(b, FILE_GENERATION, 4);
    if (gen < rank) {
      rank = gen;
      best = b;
    }
  }
  return best;
}

export interface CsvDay {
  day: number;
  steps: number;
  /** "signed", "unsigned", or "open" for the day still being counted (as of its last checkpoint). */
  status: string;
  seq?: number;
  offset: number;
  /** Hours of a closed day without movement (the open day's are not final: left empty). */
  notWorn: number;
  hours: number[];
}

const bits = (mask: number): number => {
  let n = 0;
  for (let h = 0; h < 24; h++) if (mask & (1 << h)) n++;
  return n;
};

/** The closed days of the live file, then the open day from its checkpoints, oldest first. */
export function historyDays(files: (Uint8Array | undefined)[]): CsvDay[] {
  const b = liveFile(files);
  if (!b) return [];
  const days: CsvDay[] = [];
  let open: CsvDay | undefined;
  for (let at = 0; at < b.length; ) {
    const size = recordAt(b, at);
    if (!size) {
      at += UNIT;
      continue;
    }
    if (b[at] === T_DAY) {
      const hours: number[] = [];
      for (let h = 0; h < 24; h++) hours.push(u(b, at + DAY.HOURS + 2 * h, 2));
      days.push({
        day: u(b, at + DAY.DAY, 2),
        steps: u(b, at + DAY.STEPS, 4),
        status: b[at + DAY.FLAGS] & DayFlag.SIGNED ? 'signed' : 'unsigned',
        seq: u(b, at + DAY.SEQ, 4),
        offset: (u(b, at + DAY.OFFSET, 2) << 16) >> 16,
        notWorn: bits(u(b, at + DAY.NOT_WORN, 4)),
        hours,
      });
    } else if (b[at] === T_CP) {
      const d = u(b, at + CHECKPOINT.DAY, 2);
      if (!open || d > open.day) {
        open = { day: d, steps: 0, status: 'open', offset: 0, notWorn: 0, hours: new Array(24).fill(0) };
      }
      if (d === open.day) {
        const h = b[at + CHECKPOINT.HOUR];
        if (h < 24) open.hours[h] = Math.max(open.hours[h], u(b, at + CHECKPOINT.STEPS, 2));
        open.offset = (u(b, at + CHECKPOINT.OFFSET, 2) << 16) >> 16;
      }
    }
    at += size;
  }
  days.sort((x, y) => x.day - y.day);
  const newest = days.length > 0 ? days[days.length - 1].day : -1;
  if (open && open.day > newest) {
    open.steps = open.hours.reduce((a, n) => a + n, 0);
    days.push(open);
  }
  return days;
}

/** The CSV the page saves: one line per day, closed days first, then the open day. */
export function historyCsv(files: (Uint8Array | undefined)[]): string {
  const lines = [CSV_HEADER];
  for (const d of historyDays(files)) {
    lines.push([dateString(d.day), d.steps, d.status, d.seq ?? '', d.offset, d.status === 'open' ? '' : d.notWorn, ...d.hours].join(','));
  }
  return lines.join('\n') + '\n';
}
