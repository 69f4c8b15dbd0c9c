// Runs once before the suites: builds what the tests run as a user would, so no test runs a
// stale build. dist/cli is the compiled `bushu` command that tests spawn through bin/bushu.js;
// dist/firmware is what the simulated watches of the CLI and the demo load.
// It also makes the run's temporary directory (TEST_TMP_ENV), which the test processes inherit and
// put their own under (test/kits/firmware/harness.ts), and removes it when the run ends: a test
// process may be stopped without running its own exit handlers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli } from '../../scripts/build-cli.ts';
import { DEFAULT_OUT, buildFirmware } from '../../scripts/build-firmware.ts';
import { TEST_TMP_ENV } from './test-tmp.ts';

export default async function setup(): Promise<() => void> {
  await buildCli();
  await buildFirmware(DEFAULT_OUT);
  const root = mkdtempSync(join(tmpdir(), 'bushu-test-'));
  process.env[TEST_TMP_ENV] = root;
  return () => rmSync(root, { recursive: true, force: true });
}
