// Runs once before the suites: builds what the tests run as a user would, so no test runs a
// stale build. dist/firmware is what the simulated watches of the CLI and the demo load.
import { DEFAULT_OUT, buildFirmware } from '../../scripts/build-firmware.ts';

export default async function setup(): Promise<void> {
  await buildFirmware(DEFAULT_OUT);
}
