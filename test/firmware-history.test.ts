// The history file on the watch: 31+ days with hourly buckets, damage confined to the damaged
// records, counters that never go back, and which days go first when space runs out.
import { describe, expect, it } from 'vitest';
import type { EspruinoSim } from '../sim/espruino/index.ts';
import { dayNumber } from '../shared/days.ts';
import { encodeAck, StatusCode } from '../shared/protocol/index.ts';
import { crc32 } from '../shared/protocol/index.ts';
import { bangle, puck, steps } from './kits/firmware/harness.ts';
import { Link } from './kits/firmware/link.ts';
import { evalCore } from './kits/firmware/names.ts';

const H = 3600000;
const DAY = 24 * H;
const START = Date.UTC(2026, 10, 1, 0, 30);
const D1 = dayNumber('2026-11-01');

/** Moves the clock to `t` and lets the firmware's minute tick notice. */
function at(sim: EspruinoSim, t: number): void {
  sim.setClock(t);
  sim.advance(61000);
}

/** Days 0..n-1 from START: 100 steps at 08:xx and (10 + i) at 17:xx, each day closed by the next. */
function liveDays(sim: EspruinoSim, n: number, first = 0, onDay?: (i: number) => void): void {
  for (let i = first; i < first + n; i++) {
    at(sim, START + i * DAY + 8 * H);
    evalCore(sim, 'bushu.counter.add(100)');
    at(sim, START + i * DAY + 17 * H);
    evalCore(sim, `bushu.counter.add(${10 + i})`);
    if (onDay) onDay(i);
  }
  at(sim, START + (first + n) * DAY);
}

function dayOffsets(sim: EspruinoSim): number[] {
  return evalCore(sim, 'var o = []; for (var a = bushu.historyFile.next(0, 0xb1); a >= 0; a = bushu.historyFile.next(a + 96, 0xb1)) o.push(a); o') as number[];
}

describe('firmware: history file', () => {
  it('keeps 35 days of daily totals and hourly buckets, in order, across a reboot', async () => {
    const sim = await bangle({ startTime: START });
    liveDays(sim, 35);
    sim.load();
    const frames = new Link(sim).sync(0).frames;
    const days = frames.filter((f) => f.kind === 'day').map((f) => (f.kind === 'day' ? f.record : null)!);
    expect(days.length).toBe(35);
    days.forEach((d, i) => {
      expect([d.seq, d.day, d.steps, d.closed]).toEqual([i + 1, D1 + i, 110 + i, true]);
      expect(d.hours[8]).toBe(100);
      expect(d.hours[17]).toBe(10 + i);
      expect(d.hours.reduce((a, b) => a + b, 0)).toBe(d.steps);
    });
    expect(sim.errors).toEqual([]);
  });

  it("lists the newest closed days for the Bangle's app; the Puck's build leaves that list out", async () => {
    const sim = await bangle({ startTime: START });
    liveDays(sim, 5);
    expect(evalCore(sim, 'bushu.onDemand().recent(3)')).toEqual([[D1 + 4, 114], [D1 + 3, 113], [D1 + 2, 112]]);
    expect(sim.errors).toEqual([]);
    const p = await puck({ startTime: START });
    expect(evalCore(p, 'typeof bushu.onDemand().recent')).toBe('undefined');
  });

  it('a corrupt day record costs only that record, and seq never repeats', async () => {
    const sim = await bangle({ startTime: START });
    liveDays(sim, 5);
    evalCore(sim, 'bushu.counter.add(77)');
    sim.load('bushu.app.js'); // checkpoint of the open day
    const name = evalCore(sim, 'bushu.historyFile.name') as string;
    const third = dayOffsets(sim)[2];
    sim.storage.corrupt(name, third + 12, [0x12, 0x34]); // the steps field: the CRC no longer matches
    sim.load();
    const link = new Link(sim);
    expect(link.days().map((d) => d[2])).toEqual([1, 2, 4, 5]);
    expect(steps(sim)).toBe(77);
    at(sim, START + 6 * DAY);
    const seqs = link.days().map((d) => d[2]);
    expect(seqs.slice(0, 4)).toEqual([1, 2, 4, 5]);
    expect(seqs[4]).toBeGreaterThan(5);
    expect(sim.errors).toEqual([]);
  });

  it('skips garbage in the free area and replaces a foreign file of the same name', async () => {
    const sim = await bangle({ startTime: START });
    liveDays(sim, 2);
    sim.storage.corrupt(evalCore(sim, 'bushu.historyFile.name') as string, 4000, [1, 2, 3, 4, 5]);
    sim.load();
    liveDays(sim, 2, 2);
    // The damaged unit could have been a record: seq skips one rather than risk a repeat.
    expect(new Link(sim).days().map((d) => d[2])).toEqual([1, 2, 4, 5]);
    expect(sim.errors).toEqual([]);

    const other = await bangle({ startTime: START });
    other.storage.erase('bushu.hist0');
    other.storage.write('bushu.hist0', '{"not":"ours"}');
    other.load();
    liveDays(other, 1);
    expect(new Link(other).days().map((d) => d[2])).toEqual([1]);
    expect(other.errors).toEqual([]);
  });

  it('a foreign file beside the history file goes, and the history stays', async () => {
    const sim = await bangle({ startTime: START });
    liveDays(sim, 2);
    sim.storage.write('bushu.hist1', sim.storage.readBytes('bushu.hist0')!);
    sim.storage.erase('bushu.hist0');
    sim.storage.write('bushu.hist0', '{"not":"ours"}');
    sim.load();
    expect(sim.storage.list()).not.toContain('bushu.hist0');
    expect(new Link(sim).days().map((d) => d[2])).toEqual([1, 2]);
    expect(sim.errors).toEqual([]);
  });

  it('when space runs out, acknowledged days go first and un-acknowledged ones are kept', async () => {
    const sim = await bangle({ startTime: START });
    const link = new Link(sim);
    const first = evalCore(sim, 'bushu.historyFile.name');
    let n = 0;
    for (; n < 120 && evalCore(sim, 'bushu.historyFile.name') === first; n++) {
      liveDays(sim, 1, n);
      if (n === 29) expect(link.control(encodeAck(30))?.status).toBe(StatusCode.OK);
    }
    expect(n).toBeGreaterThan(70); // the file held over 70 days before the first compaction
    const seqs = link.days().map((d) => d[2]);
    expect(seqs[0]).toBe(31); // every acknowledged day went, no un-acknowledged one did
    expect(seqs).toEqual(Array.from({ length: n - 30 }, (_, i) => 31 + i));
    expect(evalCore(sim, 'bushu.historyFile.acked')).toBe(30);
  });

  it('with nothing acknowledged and the file full, the oldest un-acknowledged days go beyond 60', async () => {
    const sim = await bangle({ startTime: START });
    const first = evalCore(sim, 'bushu.historyFile.name');
    let n = 0;
    for (; n < 120 && evalCore(sim, 'bushu.historyFile.name') === first; n++) liveDays(sim, 1, n);
    const seqs = new Link(sim).days().map((d) => d[2]);
    // The newest 60 at compaction, then the day whose record did not fit (compaction made room).
    expect(n).toBeGreaterThan(70);
    expect(seqs).toEqual(Array.from({ length: 61 }, (_, i) => n - 60 + i));
    expect(evalCore(sim, 'bushu.historyFile.seq')).toBe(n);
  });

  it('the Puck compacts too, within its 40 KB of Storage beside the firmware', async () => {
    const sim = await puck({ startTime: START });
    const first = evalCore(sim, 'bushu.historyFile.name');
    let n = 0;
    for (; n < 120 && evalCore(sim, 'bushu.historyFile.name') === first; n++) liveDays(sim, 1, n);
    expect(n).toBeLessThan(120);
    expect(new Link(sim).days().length).toBe(61);
    expect(sim.storage.list()).toEqual(expect.arrayContaining(['.bootcde', evalCore(sim, 'bushu.historyFile.name') as string]));
    expect(sim.errors).toEqual([]);
  });

  it('power lost during compaction: the older, complete file wins and the partial copy goes', async () => {
    const sim = await bangle({ startTime: START });
    liveDays(sim, 6);
    sim.load('bushu.app.js');
    const bytes = sim.storage.readBytes('bushu.hist0')!;
    // A newer generation that got only its header and the first day before the power went.
    const partial = new Uint8Array(bytes.length).fill(0xff);
    partial.set(bytes.subarray(0, 16));
    partial[4] = 1;
    new DataView(partial.buffer).setUint32(12, crc32(partial.subarray(0, 12)), true);
    const firstDay = dayOffsets(sim)[0];
    partial.set(bytes.subarray(firstDay, firstDay + 96), 16);
    sim.storage.write('bushu.hist1', partial);
    sim.load();
    expect(sim.storage.list()).not.toContain('bushu.hist1');
    expect(new Link(sim).days().map((d) => d[2])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sim.errors).toEqual([]);
  });
});
