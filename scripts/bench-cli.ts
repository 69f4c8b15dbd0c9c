// npm run bench:cli -- [--runs 20] [--warmups 2] [--json]: how long `bushu --help` takes to
// start, as a user sees it: the real `node bin/bushu.js --help` spawned --runs times (after
// --warmups runs that fill the file cache), wall-clock from spawn to exit. Prints the median
// and the 90th percentile; exits 1 when the median is over the 0.3 s target, or when the
// command fails (not built: `npm run build`). Also times a bare `node -e 0` the same way: on a
// busy machine Node's own start-up moves both, and the difference is what bushu adds.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const TARGET_MEDIAN_SECONDS = 0.3;
const BIN = fileURLToPath(new URL('../bin/bushu.js', import.meta.url));

/** The value at fraction q of the sorted samples (nearest rank), q in 0..1. */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Seconds of one `node ...args`; throws with its stderr when it fails. */
function timeNode(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.error?.message || '').trim()}`);
  return seconds;
}

/** Sorted seconds of `runs` runs after `warmups` untimed ones. */
function sample(args: string[], runs: number, warmups: number): number[] {
  for (let i = 0; i < warmups; i++) timeNode(args);
  return Array.from({ length: runs }, () => timeNode(args)).sort((a, b) => a - b);
}

function count(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

try {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '20' }, warmups: { type: 'string', default: '2' }, json: { type: 'boolean', default: false } },
  });
  const runs = count(values.runs, '--runs', 1);
  const warmups = count(values.warmups, '--warmups', 0);
  const samples = sample([BIN, '--help'], runs, warmups);
  const bare = sample(['-e', '0'], runs, warmups);
  const result = {
    command: 'node bin/bushu.js --help',
    runs,
    warmups,
    medianSeconds: quantile(samples, 0.5),
    p90Seconds: quantile(samples, 0.9),
    targetMedianSeconds: TARGET_MEDIAN_SECONDS,
    bareNodeMedianSeconds: quantile(bare, 0.5),
  };
  const ok = result.medianSeconds <= TARGET_MEDIAN_SECONDS;
  if (values.json) console.log(JSON.stringify({ ...result, ok }, null, 2));
  else {
    const s = (x: number) => `${x.toFixed(3)} s`;
    console.log(`${result.command}: ${runs} runs after ${warmups} warm-ups`);
    console.log(`  median ${s(result.medianSeconds)}, p90 ${s(result.p90Seconds)}; target median <= ${s(TARGET_MEDIAN_SECONDS)}: ${ok ? 'met' : 'MISSED'}`);
    console.log(`  bare node -e 0: median ${s(result.bareNodeMedianSeconds)} (Node's own start-up on this machine now)`);
  }
  if (!ok) process.exitCode = 1;
} catch (e) {
  console.error(`bench:cli: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
