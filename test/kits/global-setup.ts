// Runs once before the suites: builds what the tests run as a user would, so no test runs a
// stale build. dist/cli is the compiled `bushu` command that tests spawn through bin/bushu.js;
// dist/firmware is what the simulated watches of the CLI and the demo load.
import { buildCli } from '../../scripts/build-cli.ts';
import { DEFAULT_OUT, buildFirmware } from '../../scripts/build-firmware.ts';

export default async function setup(): Promise<void> {
  await buildCli();
  await buildFirmware(DEFAULT_OUT);
}
