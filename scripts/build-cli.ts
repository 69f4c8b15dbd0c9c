// npm run build:cli: the `bushu` command compiled to JavaScript in dist/cli/, so it starts
// without a TypeScript compiler and runs on the production dependencies alone.
//   main.js          the entry bin/bushu.js imports: the command registry and commander only
//   *-HASH.js        one chunk per command (cli/main.ts loads each with import() when it runs),
//                    plus chunks of the code commands share
//   migrations/      services/db/migrations, copied (see copyAssets)
//   index.html, *.js, style.css     the dashboard's static files, copied
// The production dependencies stay imports: npm installs them with bushu, and native ones
// (better-sqlite3, noble) cannot be bundled anyway. A package that is not a production
// dependency must not reach the CLI at all (it would be missing where bushu is installed
// without dev dependencies): the build fails naming it. acorn is a dependency for that reason:
// the Espruino simulator behind `--simulate` and the demo parses the firmware with it to
// estimate the watch's memory.
import { readFileSync } from 'node:fs';
import { cp, readdir, rename, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { REPO_ROOT } from './build-firmware.ts';

export const CLI_OUT = join(REPO_ROOT, 'dist/cli');

export class BundleError extends Error {}

function productionDependencies(): string[] {
  return Object.keys((JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
}

/** The package of a bundled input path ('node_modules/@scope/name/x.js' -> '@scope/name'). */
function packageOfInput(path: string): string | undefined {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  return m?.[1];
}

/**
 * Builds into a fresh sibling folder, then swaps it in: chunk names carry content hashes, so
 * building over the old folder would leave stale chunks behind, and a `bushu` started during
 * the build sees the old build or the new one, never half of each.
 */
export async function buildCli(outDir: string = CLI_OUT): Promise<string[]> {
  const next = `${outDir}.next-${process.pid}`;
  await rm(next, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: { main: 'cli/main.ts' },
    outdir: next,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // A package named here stays an import, and so do its subpaths (@abandonware/noble/lib/...).
    external: productionDependencies(),
    // Every chunk lands in outDir itself, so each bundled module's import.meta.url points into
    // outDir, where copyAssets puts the files those modules read.
    chunkNames: '[name]-[hash]',
    // Not minified: a bug's stack trace then names readable functions.
    metafile: true,
    logLevel: 'silent',
  });
  const bundled = new Set(Object.keys(result.metafile.inputs).map(packageOfInput).filter((p) => p !== undefined));
  const unexpected = [...bundled];
  if (unexpected.length > 0) {
    await rm(next, { recursive: true, force: true });
    throw new BundleError(`the CLI imports ${unexpected.join(', ')}, which is not a dependency in package.json (dev tools must not reach the bushu command)`);
  }
  await copyAssets(next);
  await rm(outDir, { recursive: true, force: true });
  await rename(next, outDir);
  return Object.keys(result.metafile.outputs).map((path) => relative(next, resolve(REPO_ROOT, path)));
}

/**
 * The files bundled modules read next to themselves with new URL('./x', import.meta.url):
 * services/db/migrate.ts reads ./migrations/<dialect>/, services/dashboard/static.ts reads
 * ./index.html, ./*.js, ./style.css. Copied rather than embedded so that there is one code
 * path: the same readFileSync runs from source (tests, tsx) and compiled, and the SQL and the
 * dashboard ship as the plain files a reader of the package expects.
 */
async function copyAssets(outDir: string): Promise<void> {
  await cp(join(REPO_ROOT, 'services/db/migrations'), join(outDir, 'migrations'), { recursive: true });
  const dashboard = join(REPO_ROOT, 'services/dashboard');
  for (const name of await readdir(dashboard)) {
    if (!name.endsWith('.ts')) await cp(join(dashboard, name), join(outDir, name));
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const outputs = await buildCli();
    console.log(`wrote ${outputs.length} chunks to ${relative(process.cwd(), CLI_OUT) || '.'}`);
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  }
}
