// The trust benchmark: generate shaker days and real-walk-like days, run each through the reward
// service's own plausibility check with the default limits, and report the share of each kind
// that is flagged or rejected (a flagged day earns no hongbao; a rejected one is not stored).
// Exit codes: 0 report printed (goals reported, enforced only with --check), 1 --check and a goal
// missed, 2 the benchmark could not run (bad arguments, unreadable recordings).
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG } from '../../services/config.ts';
import { checkPlausibility, type DayNumbers } from '../../services/plausibility.ts';
import { RecordingError } from '../../shared/recording/csv.ts';
import { FileReadError } from '../../shared/recording/file.ts';
import { random } from '../../sim/signals.ts';
import { shakerDay, VARIANTS } from './shaker.ts';
import { readStretches } from './timing.ts';
import { texture, walkingDay, type Texture } from './walking.ts';
import { formatReport, Tally, type TrustReport } from './report.ts';

export interface Output {
  write(text: string): unknown;
}

/** The goals: at least this share of shaker days caught, at most this share of walking days. */
export const SHAKER_GOAL = 0.95;
export const WALKING_GOAL = 0.01;

const USAGE = 'usage: bench-trust [--days N] [--seed S] [--data DIR] [--json] [--check]';

export async function trustCli(args: string[], defaultDir: string, out: Output, err: Output): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        days: { type: 'string' },
        seed: { type: 'string' },
        data: { type: 'string' },
        json: { type: 'boolean' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    err.write(`bench-trust: ${(e as Error).message.split('\n')[0]}\n${USAGE}\n`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    out.write(`${USAGE}\n--days: days of each kind (default 1000); --data defaults to ${defaultDir}\n`);
    return 0;
  }
  const days = wholeNumber(v.days ?? '1000', 1);
  const seed = wholeNumber(v.seed ?? '1', 0);
  if (days === null || seed === null) {
    err.write(`bench-trust: --days must be a whole number >= 1 and --seed >= 0\n${USAGE}\n`);
    return 2;
  }
  const dir = v.data ?? defaultDir;
  let tex: Texture | null = null;
  if (await isDirectory(dir)) {
    try {
      tex = texture(await readStretches(dir, (line) => err.write(`${line}\n`)));
    } catch (e) {
      if (e instanceof RecordingError || e instanceof FileReadError) {
        err.write(`bench-trust: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  } else {
    err.write(
      `bench-trust: no recordings at ${dir} (the shared step-count recordings, ../shared/data/steps beside the repository, or --data DIR): measuring shaker days only\n`,
    );
  }
  const report = measure(days, seed, tex);
  out.write(v.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  const missed = report.shaker.share < SHAKER_GOAL || (report.walking !== null && report.walking.share > WALKING_GOAL);
  return v.check && missed ? 1 : 0;
}

function wholeNumber(text: string, min: number): number | null {
  if (!/^\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min ? n : null;
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/** Generate and check every day; the shaker days' owners walk quiet days of their own. */
export function measure(days: number, seed: number, tex: Texture | null): TrustReport {
  const limits = DEFAULT_CONFIG.plausibility;
  const rand = random(seed);
  const names = Object.keys(VARIANTS);
  const shaker = new Tally();
  for (let i = 0; i < days; i++) {
    const variant = names[i % names.length];
    const own: DayNumbers = tex === null ? restDay() : walkingDay(rand, tex, 1000, 6000).day;
    const d = shakerDay(rand, variant, own);
    shaker.add(d.variant, d.day, checkPlausibility(d.day, limits));
  }
  let walking: Tally | null = null;
  if (tex !== null) {
    walking = new Tally();
    for (let i = 0; i < days; i++) {
      const d = walkingDay(rand, tex, 2000, 25000);
      walking.add(d.variant, d.day, checkPlausibility(d.day, limits));
    }
  }
  return {
    days,
    seed,
    limits,
    goals: { shakerAtLeast: SHAKER_GOAL, walkingAtMost: WALKING_GOAL },
    shaker: shaker.summary(),
    walking: walking === null ? null : walking.summary(),
  };
}

/** Without recordings the owner's own walking is left out: off the shaker the watch lies unworn. */
function restDay(): DayNumbers {
  return { steps: 0, hours: new Array<number>(24).fill(0), notWornHours: Array.from({ length: 24 }, (_, h) => h) };
}
