// The `bushu` command line, as a registry: each command's name, arguments and options are
// declared here, and its code is imported only when it runs. `bushu --help` and `--version`
// therefore load commander and this file alone, not SQLite, noble, zod or the services
// (npm run bench:cli measures the start-up; test/cli-build.test.ts checks the compiled entry).
// Adding a command: declare it below, with an action that imports the module doing the work.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
// esbuild inlines the version into the compiled entry: no package.json to find at run time.
import { version } from '../package.json';
import type { ExportOptions } from './export.ts';
import type { OutboxOptions } from './outbox.ts';
import type { RunOptions } from './run.ts';
import type { ScanOptions } from './scan.ts';
import type { ServeOptions } from './serve.ts';
import type { DemoOptions } from './demo.ts';
import type { SyncOptions } from './sync.ts';
import type { StoreCliOptions } from '../bridge/config/cli.ts';
import { OUTBOX_STATES } from './outbox-states.ts';
import { deviceId, factor, integer, logLevel, logLevelEnvProblem, seconds } from './options.ts';

export function buildProgram(): Command {
  const program = new Command('bushu')
    .description('step counting for BLE wearables: tools for recordings and the bridge')
    .version(version)
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default: $BUSHU_LOG_LEVEL, the config, info)', logLevel)
    .hook('preAction', (cmd) => {
      const problem = logLevelEnvProblem();
      if (problem !== undefined) cmd.error(`error: ${problem}`);
    });

  program
    .command('count')
    .description('count the steps in recording CSV files (Time (ms),X,Y,Z); prints CSV file,steps')
    .argument('<files...>', 'recording CSV files')
    .action(async (files: string[]) => {
      const { runCount } = await import('./count.ts');
      process.exitCode = await runCount(files, process.stdout, process.stderr);
    });

  program
    .command('serve')
    .description('run the reward and social services and the dashboard')
    .option('--port <port>', 'TCP port (0: any free port)', integer(0, 65535), 8080)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--db <path>', 'SQLite file (ignored when DATABASE_URL is set; default: ./data/services.db)')
    .option('--config <file>', 'JSON config: webhook secrets, admin token, amounts, seed users and devices')
    .action(async (opts: ServeOptions) => {
      const { runServe } = await import('./serve.ts');
      await runServe(opts);
    });

  storeCommand(program, 'status', 'devices, last syncs, day counts, the outbox and quarantined records').action(async (opts: StoreCliOptions) => {
    const { runStatus } = await import('./status.ts');
    process.exitCode = await runStatus(opts, process.stdout, process.stderr);
  });

  storeCommand(program, 'export', 'day totals as CSV or JSON')
    .option('--format <format>', 'csv, json, or hourly (date, time, steps: one row per hour)', 'csv')
    .option('--from <date>', 'first local date, YYYY-MM-DD')
    .option('--to <date>', 'last local date, YYYY-MM-DD')
    .option('--user <name>', "one user's days: the maximum of their devices per day")
    .action(async (opts: ExportOptions) => {
      const { runExport } = await import('./export.ts');
      process.exitCode = await runExport(opts, process.stdout, process.stderr);
    });

  storeCommand(program, 'outbox', 'list pending and dead-lettered deliveries; retry ID|all; drop ID')
    .argument('[action]', 'list (default), retry or drop')
    .argument('[id]', 'row id (retry also takes "all")')
    .option('--state <state>', `only rows in this state: ${OUTBOX_STATES.join(', ')}`)
    .action(async (action: string | undefined, id: string | undefined, opts: OutboxOptions) => {
      const { runOutbox } = await import('./outbox.ts');
      process.exitCode = await runOutbox(action, id, opts, process.stdout, process.stderr);
    });

  program
    .command('demo')
    .description('run the services, the bridge and 3 simulated users walking a week; prints each sync and award')
    .option('--once', 'simulate the week, print the summary and exit (instead of serving the dashboard)')
    .option('--json', 'print the summary as JSON on stdout (progress goes to stderr)')
    .option('--data <dir>', 'where the demo keeps its databases', './data')
    .option('--port <n>', 'port of the services and dashboard (a free one if busy)', integer(0, 65535), 8080)
    .option('--seed <n>', "seed of the simulated walking and keys (default: the data directory's, else 1)", integer(0, 2 ** 31 - 1))
    .action(async (opts: DemoOptions) => {
      const { demoCommand } = await import('./demo.ts');
      await demoCommand(opts);
    });

  program
    .command('scan')
    .description('list nearby wearables the bridge can sync')
    .option('--seconds <n>', 'how long to listen (default: the config, 10)', seconds())
    .option('--all', 'every advertisement, not only wearables a profile can sync')
    .option('--bushu', 'only bushu watches, found by the service UUID they advertise (firmware 0.10 and later)')
    .option('--simulate <n>', 'scan n simulated wearables instead of the Bluetooth adapter', integer(1, 1000))
    .option('--config <path>', 'bushu.config.json to read')
    .option('--json', 'machine-readable JSON output')
    .action(async (opts: ScanOptions, cmd: Command) => {
      const { runScan } = await import('./scan.ts');
      process.exitCode = await runScan(opts, cmd.optsWithGlobals().logLevel, process.stdout, process.stderr);
    });

  program
    .command('sync')
    .description('sync every wearable in range once (history, totals), then exit')
    .option('--device <id>', 'only this device (its address, c0:ff:ee:00:01:00, or 12 hex digits)', deviceId)
    .option('--simulate <n>', 'n simulated wearables instead of the Bluetooth adapter', integer(1, 1000))
    .option('--days <d>', 'days of history on simulated wearables', integer(1, 60), 7)
    .option('--seconds <n>', 'how long to look for devices (default: the config, 10)', seconds())
    .option('--db <path>', 'the SQLite database (default: from the config; in memory with --simulate)')
    .option('--config <path>', 'bushu.config.json to read')
    .option('--json', 'machine-readable JSON output')
    .action(async (opts: SyncOptions, cmd: Command) => {
      const { runSync } = await import('./sync.ts');
      process.exitCode = await runSync(opts, cmd.optsWithGlobals().logLevel, process.stdout, process.stderr);
    });

  program
    .command('run')
    .description('the bridge daemon: sync wearables as they come in range and deliver day records')
    .option('--simulate <n>', 'run on n simulated wearables (real firmware in a simulator) instead of Bluetooth', integer(1, 1000))
    .option('--days <d>', 'days of history on simulated wearables', integer(1, 60), 7)
    .option('--speed <x>', 'simulated time runs x times faster than real time', factor(100_000), 60)
    .option('--for <seconds>', 'stop after this many seconds', seconds())
    .option('--db <path>', 'the SQLite database (default: from the config; in memory with --simulate)')
    .option('--config <path>', 'bushu.config.json to read')
    .option('--json', 'one JSON event per line')
    .action(async (opts: RunOptions, cmd: Command) => {
      const { runDaemon } = await import('./run.ts');
      process.exitCode = await runDaemon(opts, cmd.optsWithGlobals().logLevel, process.stdout, process.stderr);
    });

  return program;
}

/** Run the CLI with Node-style argv (argv[0] node, argv[1] script). Exit codes go to process.exitCode. */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    // Whatever a command did not turn into its own message: one line, never a stack trace
    // (BUSHU_DEBUG=1 shows it, for a bug report).
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`bushu: ${message.split('\n')[0]}\n`);
    if (process.env.BUSHU_DEBUG) process.stderr.write(`${err instanceof Error ? err.stack : ''}\n`);
    process.exitCode = 1;
  }
}

/**
 * The options of the commands that read the bridge's store (status, export, outbox), declared
 * here rather than next to the store code: importing that would load the store and the config
 * schema for `bushu --help`.
 */
function storeCommand(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .option('--db <path>', 'the SQLite database (default: from the config, else ./data/bushu.db)')
    .option('--config <path>', 'bushu.config.json to read (default: $BUSHU_CONFIG or ./bushu.config.json)')
    .option('--json', 'machine-readable JSON output');
}

// Also runnable directly (`tsx cli/main.ts ...`); bin/bushu.js imports the compiled main.js and calls main().
if (isEntryPoint()) await main();

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false; // argv[1] is not a file (node -e, a REPL): certainly not run as a script
  }
}
