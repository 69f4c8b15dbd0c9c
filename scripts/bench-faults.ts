// npm run bench:faults -- [--trials N] [--seed S] [--jobs J] [--json] [--keep]
// Fault trials of real processes (scripts/faults/): the built firmware in simulated watches, the
// real bridge in a child process that is SIGKILLed and reinstalled, `bushu serve` in its own
// process behind an outage proxy (SQLite; PostgreSQL when DATABASE_URL is set), in simulated
// time with seeded faults. Prints lost, duplicated, wrongly awarded and wrongly refused days;
// the exit code is 1 when any is above 0, 2 for bad options.
import { Command, CommanderError } from 'commander';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runTrial, type TrialResult } from './faults/trial.ts';

const program = new Command('bench:faults')
  .option('--trials <n>', 'number of trials', '20')
  .option('--seed <n>', 'first seed (trial i uses seed + i)', '1')
  .option('--jobs <n>', 'trials run at once', '1')
  .option('--json', 'print the totals as one JSON object')
  .option('--keep', 'keep each trial directory (printed)')
  .exitOverride()
  .configureOutput({ writeErr: () => undefined });

let opts: { trials: string; seed: string; jobs: string; json?: boolean; keep?: boolean };
try {
  opts = program.parse(process.argv).opts();
} catch (e) {
  if (e instanceof CommanderError && e.exitCode === 0) process.exit(0);
  process.stderr.write(`bench:faults: ${(e as Error).message.replace(/^error: /, '')}\n`);
  process.exit(2);
}
const int = (v: string, name: string, min: number) => {
  if (!/^[0-9]+$/.test(v) || Number(v) < min) {
    process.stderr.write(`bench:faults: --${name} must be an integer >= ${min}, got ${JSON.stringify(v)}\n`);
    process.exit(2);
  }
  return Number(v);
};
const trials = int(opts.trials, 'trials', 1);
const seed = int(opts.seed, 'seed', 0);
const jobs = int(opts.jobs, 'jobs', 1);
if (!existsSync(fileURLToPath(new URL('../dist/firmware/bangle/metadata.json', import.meta.url))) || !existsSync(fileURLToPath(new URL('../dist/cli', import.meta.url)))) {
  process.stderr.write('bench:faults: no built firmware or CLI in dist/: run `npm run build` first\n');
  process.exit(2);
}
const databaseUrl = process.env.DATABASE_URL || undefined;

const started = Date.now();
const results: TrialResult[] = [];
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(jobs, trials) }, async () => {
    while (next < trials) {
      const s = seed + next++;
      const t0 = Date.now();
      const r = await runTrial(s, { databaseUrl, keep: opts.keep });
      results.push(r);
      // One line per trial on stderr, so a run cut short still says what it found.
      const bad = r.lost + r.duplicated + r.wronglyAwarded + r.wronglyRefused + r.misdated;
      process.stderr.write(
        `trial ${results.length}/${trials} seed ${s}: ${((Date.now() - t0) / 1000).toFixed(1)} s, ${r.userDays} goal user-days, ${r.bridgeKills}+${r.serviceKills} kills, ` +
          `${bad === 0 && r.error === undefined ? 'ok' : `lost ${r.lost} dup ${r.duplicated} wrong ${r.wronglyAwarded} refused ${r.wronglyRefused} misdated ${r.misdated}${r.error ? ` error ${r.error}` : ''}`}\n`,
      );
    }
  }),
);
results.sort((a, b) => a.seed - b.seed);
const seconds = (Date.now() - started) / 1000;
const sum = (k: 'lost' | 'duplicated' | 'wronglyAwarded' | 'wronglyRefused' | 'misdated' | 'userDays' | 'awards' | 'bridgeKills' | 'serviceKills' | 'reinstalls' | 'runs') => results.reduce((n, r) => n + r[k], 0);
const faults: Record<string, number> = {};
for (const r of results) for (const [k, n] of Object.entries(r.faults)) faults[k] = (faults[k] ?? 0) + n;
faults['kill -9 bridge'] = sum('bridgeKills');
faults['kill -9 services'] = sum('serviceKills');
faults['bridge reinstalled'] = sum('reinstalls');
const failed = results.filter((r) => r.lost + r.duplicated + r.wronglyAwarded + r.wronglyRefused + r.misdated > 0 || r.error !== undefined);
const excluded = results.flatMap((r) => r.excluded.map((e) => `seed ${r.seed}: ${e}`));
const totals = {
  backend: databaseUrl ? 'postgres' : 'sqlite',
  trials: results.length,
  seconds: Math.round(seconds * 10) / 10,
  trialsPerSecond: Math.round((results.length / seconds) * 100) / 100,
  userDays: sum('userDays'),
  awards: sum('awards'),
  lost: sum('lost'),
  duplicated: sum('duplicated'),
  wronglyAwarded: sum('wronglyAwarded'),
  wronglyRefused: sum('wronglyRefused'),
  misdated: sum('misdated'),
  errors: results.filter((r) => r.error !== undefined).length,
  faults,
  excluded,
  failed: failed.map((r) => ({ seed: r.seed, problems: r.problems })),
};
if (opts.json) process.stdout.write(JSON.stringify(totals) + '\n');
else {
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`${totals.trials} trials on ${totals.backend} in ${totals.seconds} s (${totals.trialsPerSecond} trials/s), ${sum('runs')} bridge runs`);
  out(`faults: ${Object.entries(faults).sort().map(([k, n]) => `${k} ${n}`).join(', ')}`);
  out(`user-days with a goal day ${totals.userDays}, awards ${totals.awards}`);
  out(`lost ${totals.lost}, duplicated ${totals.duplicated}, wrongly awarded ${totals.wronglyAwarded}, wrongly refused ${totals.wronglyRefused}, misdated by the bridge ${totals.misdated}, trial errors ${totals.errors}`);
  if (excluded.length > 0) out(`excluded by design (${excluded.length}):\n  ${excluded.join('\n  ')}`);
  for (const f of failed) out(`seed ${f.seed}:\n  ${f.problems.join('\n  ')}`);
}
process.exitCode = totals.lost + totals.duplicated + totals.wronglyAwarded + totals.wronglyRefused + totals.misdated + totals.errors > 0 ? 1 : 0;
