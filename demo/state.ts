// DATA/demo.json: what a later run must reuse to replay the same world: the seed (keys and
// walking derive from it) and the simulated week. Validated on read, so a hand-edited or
// foreign file gives a clear error instead of a strange simulation.
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { WEEK_DAYS, weekEnding, type Week } from './week.ts';
import { dateString, dayNumber } from '../shared/days.ts';
import type { Profile } from './plan.ts';

export interface DemoState {
  version: 1;
  seed: number;
  /** Walking profile of the plan (plan.ts): tests use 'light'. */
  profile: Profile;
  utcOffsetMin: number;
  today: string; // YYYY-MM-DD, the last (open) day of the simulated week
  /** World time (UTC ms) of the last checkpoint: watches saved, bridge synced, outbox drained. */
  simulatedUntil: number | null;
}

export const STATE_FILE = 'demo.json';

export class DemoStateError extends Error {}

export function readState(dataDir: string): DemoState | undefined {
  const path = join(dataDir, STATE_FILE);
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DemoStateError(`${path}: not valid JSON (${(e as Error).message}); delete the data directory to start over`);
  }
  const s = raw as Partial<DemoState>;
  const bad = (what: string) => new DemoStateError(`${path}: ${what}; delete the data directory to start over`);
  if (typeof s !== 'object' || s === null || s.version !== 1) throw bad('unknown version');
  if (!Number.isSafeInteger(s.seed)) throw bad('seed is not an integer');
  if (s.profile !== 'full' && s.profile !== 'light') throw bad('profile is not "full" or "light"');
  if (!Number.isSafeInteger(s.utcOffsetMin) || Math.abs(s.utcOffsetMin!) > 14 * 60) throw bad('utcOffsetMin is not a UTC offset in minutes');
  try {
    dayNumber(s.today as string);
  } catch {
    throw bad('today is not a YYYY-MM-DD date');
  }
  if (s.simulatedUntil !== null && !Number.isSafeInteger(s.simulatedUntil)) throw bad('simulatedUntil is not UTC ms or null');
  return s as DemoState;
}

export function writeState(dataDir: string, state: DemoState): void {
  const path = join(dataDir, STATE_FILE);
  // write then rename: an interrupted first run never leaves half a file behind
  writeFileSync(path + '.tmp', JSON.stringify(state, null, 2) + '\n');
  renameSync(path + '.tmp', path);
}

export function stateWeek(state: DemoState): Week {
  return weekEnding(dayNumber(state.today), state.utcOffsetMin);
}

export function stateFor(seed: number, profile: Profile, week: Week): DemoState {
  if (week.days.length !== WEEK_DAYS) throw new Error('a demo week has ' + WEEK_DAYS + ' days');
  return { version: 1, seed, profile, utcOffsetMin: week.utcOffsetMin, today: dateString(week.days[week.days.length - 1]), simulatedUntil: null };
}
