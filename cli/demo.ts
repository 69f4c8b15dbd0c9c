// `bushu demo`: the reference services, the bridge and simulated wearables in one process
// (demo/run.ts does the work; this file only parses options and reports errors).
import { InvalidArgumentError, type Command } from 'commander';
import { DemoError } from '../demo/data-dir.ts';
import { runDemo } from '../demo/run.ts';

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?[0-9]+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer in ${min}..${max}`);
    return n;
  };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the services, the bridge and 3 simulated users walking a week; prints each sync and award')
    .option('--once', 'simulate the week, print the summary and exit (instead of serving the dashboard)')
    .option('--json', 'print the summary as JSON on stdout (progress goes to stderr)')
    .option('--data <dir>', 'where the demo keeps its databases', './data')
    .option('--port <n>', 'port of the services and dashboard (a free one if busy)', integer('--port', 0, 65535), 8080)
    .option('--seed <n>', 'seed of the simulated walking and keys (default: the data directory\'s, else 1)', integer('--seed', 0, 2 ** 31 - 1))
    .action(async (o: { once?: boolean; json?: boolean; data: string; port: number; seed?: number }) => {
      try {
        await runDemo({ dataDir: o.data, once: o.once === true, json: o.json === true, port: o.port, seed: o.seed });
      } catch (e) {
        if (!(e instanceof DemoError)) throw e; // a bug: keep the stack trace
        process.stderr.write(`bushu: demo: ${e.message}\n`);
        process.exitCode = 1;
      }
    });
}
