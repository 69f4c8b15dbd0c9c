// npm run build: what the `bushu` command needs at run time, compiled from the sources:
// dist/cli (the command, scripts/build-cli.ts) and dist/firmware (the watch code, which
// `--simulate` and the demo run in the simulator; scripts/build-firmware.ts). The prepare
// script runs it, so `npm install` / `npm ci` in a clone and `npm pack` always build.
// --if-stale (npm start): build only when a source is newer than the build, so a developer who
// edited the code never runs a stale build, and an unchanged checkout starts without the ~10 s
// of CPU the firmware's terser passes take.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// The builders are imported only to build: loading esbuild and terser would be most of the
// cost of finding that there is nothing to do.
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI_OUT = join(REPO_ROOT, 'dist/cli');
const FIRMWARE_OUT = join(REPO_ROOT, 'dist/firmware');

/** What the build reads: the product code, the build scripts, and package.json (the version). */
const SOURCES = ['cli', 'bridge', 'services', 'shared', 'sim', 'demo', 'firmware', 'scripts', 'package.json'];
/** One file of each output, written on every build. */
const OUTPUTS = [join(CLI_OUT, 'main.js'), join(FIRMWARE_OUT, 'bangle/metadata.json')];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file shows only as its folder's change
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function buildIsStale(): boolean {
  if (!OUTPUTS.every((f) => existsSync(f))) return true;
  const built = Math.min(...OUTPUTS.map((f) => statSync(f).mtimeMs));
  return SOURCES.some((s) => newestMtime(join(REPO_ROOT, s)) > built);
}

try {
  if (!process.argv.includes('--if-stale') || buildIsStale()) {
    const { buildCli } = await import('./build-cli.ts');
    const { buildFirmware } = await import('./build-firmware.ts');
    const chunks = await buildCli(CLI_OUT);
    const firmware = await buildFirmware(FIRMWARE_OUT);
    const where = (dir: string) => relative(process.cwd(), dir) || '.';
    console.log(`bushu: built ${chunks.length} chunks in ${where(CLI_OUT)}, ${firmware.length} firmware files in ${where(FIRMWARE_OUT)}`);
  }
} catch (e) {
  console.error(`bushu: build failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
