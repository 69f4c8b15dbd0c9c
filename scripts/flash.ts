// npm run flash -- --target bangle|puck [--device NAME | --port ADDR|/dev/tty…|tcp://host:port]
//                  [--dry-run] [--no-build] [--dist DIR] [--timeout S] [--key HEX64] [--time ISO]
// Builds the firmware and writes it into the device's Storage with the espruino CLI, then sets the
// clock. See firmware/FLASHING.md. Exit codes: 0 done, 1 flash failed, 2 bad arguments.
import { CommanderError } from 'commander';
import { flashHelp, parseFlashArgs, UsageError } from './flash/options.ts';
import { flash } from './flash/flash.ts';

const io = { out: (l: string) => console.log(l), err: (l: string) => console.error(l) };

try {
  const options = parseFlashArgs(process.argv.slice(2));
  process.exitCode = await flash(options, io);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = 0; // --help was printed
  } else if (e instanceof UsageError) {
    io.err(`flash: ${e.message}`);
    io.err(flashHelp().trimEnd());
    process.exitCode = 2;
  } else {
    io.err(`flash: unexpected error: ${e instanceof Error ? e.stack : String(e)}`);
    process.exitCode = 1;
  }
}
