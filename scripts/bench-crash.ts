// npm run bench:crash -- [--trials N] [--seed S] [--kills K] [--json]
// Runs crash trials (test/kits/crash-harness.ts): the bridge's sync + delivery process is
// SIGKILLed at random points and restarted; prints kills, records, duplicates accepted and lost.
// Both of the last two must be 0; the exit code is 1 otherwise.
import { Command } from 'commander';
import { runTrial, type TrialResult } from '../test/kits/crash-harness.ts';

const opts = new Command('bench:crash')
  .option('--trials <n>', 'number of trials', '50')
  .option('--seed <n>', 'first seed (trial i uses seed + i)', '1')
  .option('--kills <n>', 'most kills per trial', '4')
  .option('--json', 'print the totals as JSON')
  .parse(process.argv)
  .opts<{ trials: string; seed: string; kills: string; json?: boolean }>();

const int = (v: string, name: string) => {
  if (!/^[0-9]+$/.test(v)) throw new Error(`--${name}: must be a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
};
const trials = int(opts.trials, 'trials');
const seed = int(opts.seed, 'seed');
const maxKills = int(opts.kills, 'kills');

const totals = { trials: 0, kills: 0, records: 0, requests: 0, replays: 0, duplicates: 0, lost: 0, outOfOrder: 0 };
const failed: TrialResult[] = [];
const started = Date.now();
for (let i = 0; i < trials; i++) {
  const r = await runTrial(seed + i, maxKills);
  totals.trials++;
  for (const k of ['kills', 'records', 'requests', 'replays', 'duplicates', 'lost', 'outOfOrder'] as const) totals[k] += r[k];
  if (r.duplicates + r.lost + r.outOfOrder > 0 || r.problems.length > 0) failed.push(r);
  if (!opts.json) process.stderr.write(`\rtrial ${i + 1}/${trials}`);
}
if (opts.json) {
  process.stdout.write(JSON.stringify({ ...totals, failedSeeds: failed.map((f) => f.seed) }) + '\n');
} else {
  process.stderr.write('\n');
  process.stdout.write(
    `trials ${totals.trials}, kills ${totals.kills}, watch records ${totals.records}, requests ${totals.requests}, ` +
      `replayed by idempotency ${totals.replays}\nduplicates accepted ${totals.duplicates}, lost ${totals.lost}, out of order ${totals.outOfOrder}` +
      ` (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  for (const f of failed) process.stdout.write(`seed ${f.seed}: ${f.problems.join('; ')}\n`);
}
process.exitCode = failed.length > 0 ? 1 : 0;
