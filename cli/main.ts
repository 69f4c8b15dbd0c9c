// The `bushu` command line. This file is only a registry: each subcommand lives in its own
// module exporting a register function, so adding a command is one import and one list entry.
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { registerCount } from './count.ts';
import { registerServe } from './serve.ts';
import { registerStatus } from './status.ts';
import { registerExport } from './export.ts';
import { registerOutbox } from './outbox.ts';
import { registerDemo } from './demo.ts';
import { registerScan } from './scan.ts';
import { registerSync } from './sync.ts';
import { registerRun } from './run.ts';

const COMMANDS: Array<(program: Command) => void> = [registerCount, registerServe, registerStatus, registerExport, registerOutbox, registerDemo, registerScan, registerSync, registerRun];

export function buildProgram(): Command {
  const program = new Command('bushu')
    .description('step counting for BLE wearables: tools for recordings and the bridge')
    .version(packageVersion())
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default: $BUSHU_LOG_LEVEL, the config, info)');
  for (const register of COMMANDS) register(program);
  return program;
}

/** Run the CLI with Node-style argv (argv[0] node, argv[1] script). Exit codes go to process.exitCode. */
export async function main(argv: string[] = process.argv): Promise<void> {
  await buildProgram().parseAsync(argv);
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

// Also runnable directly (`tsx cli/main.ts ...`); bin/bushu.js imports it and calls main().
if (isEntryPoint()) await main();

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false; // argv[1] is not a file (node -e, a REPL): certainly not run as a script
  }
}
