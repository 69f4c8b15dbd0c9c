// CPU benchmark entry: `npm run bench:device -- [--samples N] [--json] [--check] [--trace]`. Needs
// ESPRUINO_BIN (a Linux build of Espruino) and valgrind; without them it says so and exits 0.
// The work is in scripts/device/.
import { deviceCli } from './device/bench.ts';

try {
  process.exitCode = await deviceCli(process.argv.slice(2), process.env, process.stdout, process.stderr);
} catch (e) {
  process.stderr.write(`bench-device: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
