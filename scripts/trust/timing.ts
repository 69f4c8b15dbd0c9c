// Step timing from the real recordings: run the project's own pedometer over each recording and
// note when each step was counted, then cut the timeline into walking stretches. The walking days
// of the trust benchmark are built from these stretches, so their cadence, its drift and the
// short stops of a real walk (kerbs, lights, doors) come from people, not from a formula.
import { join } from 'node:path';
import { Pedometer } from '../../shared/pedometer/pedometer.ts';
import { plainLoops } from '../../shared/pedometer/periodicity.ts';
import { readRecordingFile, readTextFile } from '../../shared/recording/file.ts';
import type { Recording } from '../../shared/recording/recording.ts';
import { parseTruthCsv } from '../accuracy/truth.ts';

/** A gap longer than this ends a stretch: the walker stopped doing anything walk-like. */
const STRETCH_GAP_MS = 60_000;
/** Shorter stretches say little about cadence (the detector is still locking on). */
const MIN_STRETCH_STEPS = 20;

/** Step times in ms from the start of one walking stretch (the first step is at 0). */
export interface Stretch {
  source: string;
  times: number[];
}

/** The step times of a recording, as counted by the pedometer. */
export function stepTimes(rec: Recording): number[] {
  const p = new Pedometer(plainLoops);
  const times: number[] = [];
  // A confirmed walk credits its held-back steps at once: spread them back over the time they
  // were walked, at the cadence of the last steps (or 2 steps/s when there is none yet).
  const credit = (added: number, at: number): void => {
    const last = times.length;
    const interval = last >= 2 ? Math.min(1000, times[last - 1] - times[last - 2]) : 500;
    for (let k = added - 1; k >= 0; k--) times.push(at - k * interval);
  };
  let prev = rec.t.length > 0 ? rec.t[0] : 0;
  for (let i = 0; i < rec.t.length; i++) {
    credit(p.push(rec.t[i] - prev, rec.x[i], rec.y[i], rec.z[i]), rec.t[i]);
    prev = rec.t[i];
  }
  // The last window's analysis may still be under way (it runs over six samples): its steps
  // count at the last sample, as countSteps counts them.
  credit(p.finish(), prev);
  return times.sort((a, b) => a - b);
}

/** Cut step times into stretches at long gaps. */
export function stretches(times: number[], source: string): Stretch[] {
  const out: Stretch[] = [];
  let start = 0;
  for (let i = 1; i <= times.length; i++) {
    if (i === times.length || times[i] - times[i - 1] > STRETCH_GAP_MS) {
      if (i - start >= MIN_STRETCH_STEPS) out.push({ source, times: times.slice(start, i).map((t) => t - times[start]) });
      start = i;
    }
  }
  return out;
}

/** Every recording listed in DIR/truth.csv that has steps, cut into stretches. */
export async function readStretches(dir: string, progress: (line: string) => void): Promise<Stretch[]> {
  const truthPath = join(dir, 'truth.csv');
  const entries = parseTruthCsv(await readTextFile(truthPath), truthPath).filter((e) => e.kind !== 'zero');
  const out: Stretch[] = [];
  for (const entry of entries) {
    progress(`timing the steps of ${entry.file}...`);
    out.push(...stretches(stepTimes(await readRecordingFile(join(dir, entry.file))), entry.file));
  }
  return out;
}
