// npm run build:firmware: the wearable firmware bundled with esbuild (bundle, IIFE, es2015,
// minified, the firmware's own property names renamed: espruino/mangle.ts), then compressed
// with terser (espruino/compress.ts), into dist/firmware/, every file checked against the
// Espruino subset. Layout:
//   bangle/  an App Loader app folder: bushu.boot.js (Storage name bushu.0.boot.js), bushu.ext.js
//            (loaded by the boot code on demand), bushu.wid.js, bushu.app.js, bushu.img,
//            bushu.png, metadata.json, README.md, ChangeLog, screenshot.png, interface.html
//            (the loader's history download page), and bushu.info for the flasher (the App
//            Loader writes its own and refuses one listed in metadata.json)
//   puck/    bushu.js, written by the flasher as Storage .bootcde
//   names.json  the property renaming of each device group (source name -> built name), for
//            the REPL and the tests; never uploaded
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { buildInterface } from './espruino/interface.ts';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { checkEspruinoSubset } from './espruino/subset.ts';
import { iconImage, iconPng } from './espruino/icon.ts';
import { stripDiagnosticsPlugin } from './espruino/strip-diagnostics.ts';
import { analyseProperties, assignNames, countUses } from './espruino/mangle.ts';
import { compress } from './espruino/compress.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUT = join(REPO_ROOT, 'dist/firmware');

/**
 * Minified size budgets in bytes: what the file may take of its board's Storage (firmware/README.md,
 * "Budgets"). RAM is budgeted in JsVars (scripts/bench-firmware.ts): code run from Storage costs
 * its bytes in flash, not in RAM. The Bangle's boot file is read again at every app switch; the
 * Puck's .bootcde shares about 40 KB of Storage with the history file and its compaction twin.
 */
export const BUDGETS: Record<string, number> = {
  // 9.25 KB and 12.75 KB: 1 KB more than before issue 12's staged analysis and rest, and 256 B
  // more for issue 14's walk that ends within a half (firmware/README.md, "Budgets").
  'bangle/bushu.boot.js': 9.25 * 1024,
  'puck/bushu.js': 12.75 * 1024,
};

/**
 * [entry, output, device group, weight]. Files of one group run in one interpreter and share
 * objects, so they share one property renaming (scripts/espruino/mangle.ts); the weight says
 * how much a name's uses in that file count when the shortest names are handed out (the
 * budgeted boot file first).
 */
const BUNDLES: [string, string, string, number][] = [
  ['firmware/bangle/boot.ts', 'bangle/bushu.boot.js', 'bangle', 100],
  ['firmware/bangle/ext.ts', 'bangle/bushu.ext.js', 'bangle', 1],
  ['firmware/bangle/widget.ts', 'bangle/bushu.wid.js', 'bangle', 1],
  ['firmware/bangle/app.ts', 'bangle/bushu.app.js', 'bangle', 1],
  ['firmware/puck/main.ts', 'puck/bushu.js', 'puck', 1],
];

export interface BuiltFile {
  /** Path relative to the output directory, e.g. "bangle/bushu.boot.js". */
  path: string;
  bytes: number;
  /** Size budget, when the file has one. */
  budget?: number;
}

export class SubsetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SubsetError';
  }
}

/**
 * Bundles one entry the way every firmware file is built. `mangle` maps property names to their
 * short names (exactly these are renamed; see scripts/espruino/mangle.ts for which may be).
 */
export async function bundle(entry: string, mangle?: Record<string, string>): Promise<string> {
  const names = mangle ? Object.keys(mangle) : [];
  const r = await build({
    entryPoints: [join(REPO_ROOT, entry)],
    bundle: true,
    format: 'iife',
    target: 'es2015',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    // Fields become plain `this.x = v` in the constructor: smaller than esbuild's defineProperty
    // helper, and a field without initializer emits nothing (Espruino cannot parse `x;`).
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
    plugins: [stripDiagnosticsPlugin(/shared[\\/]protocol[\\/][^\\/]+\.ts$/)],
    ...(names.length > 0 ? { mangleProps: new RegExp(`^(?:${names.join('|')})$`), mangleCache: mangle } : {}),
  });
  // Sources write global.require("Storage"): a bare require() makes esbuild inject a shim that
  // needs Proxy. The built file gets Espruino's own form back.
  return r.outputFiles[0].text.replace(/\bglobal\.require\(/g, 'require(');
}

/** The property renaming of each device group: names weighted by their uses in a plain build. */
export async function propertyNames(): Promise<Record<string, Record<string, string>>> {
  const analysis = analyseProperties(REPO_ROOT, BUNDLES.map((b) => b[0]));
  const uses: Record<string, Map<string, number>> = {};
  for (const [entry, , group, weight] of BUNDLES) countUses(await bundle(entry), analysis.mangle, (uses[group] ??= new Map()), weight);
  const out: Record<string, Record<string, string>> = {};
  for (const group of Object.keys(uses)) out[group] = assignNames(analysis, uses[group]);
  return out;
}

/**
 * Every bundle's code, output path -> text: esbuild with the property renaming of its group,
 * then the terser pass (scripts/espruino/compress.ts) unless `compressed` is false.
 */
export async function bundleAll(compressed = true, names?: Record<string, Record<string, string>>): Promise<Map<string, string>> {
  names ??= await propertyNames();
  const out = new Map<string, string>();
  for (const [entry, path, group] of BUNDLES) {
    const code = await bundle(entry, names[group]);
    out.set(path, compressed ? await compress(code, path) : code);
  }
  return out;
}

/** Builds everything into outDir; throws SubsetError listing every Espruino incompatibility. */
export async function buildFirmware(outDir: string = DEFAULT_OUT): Promise<BuiltFile[]> {
  const files = new Map<string, Uint8Array>();
  const problems: string[] = [];
  const names = await propertyNames();
  for (const [out, code] of await bundleAll(true, names)) {
    for (const v of checkEspruinoSubset(code)) problems.push(`${out}:${v.line}: ${v.what}`);
    files.set(out, Buffer.from(code, 'utf8'));
  }
  if (problems.length > 0) throw new SubsetError(`Espruino cannot run the build:\n${problems.join('\n')}`);

  const meta = JSON.parse(await readFile(join(REPO_ROOT, 'firmware/bangle/metadata.json'), 'utf8'));
  files.set('bangle/bushu.img', iconImage());
  files.set('bangle/bushu.png', iconPng());
  // What the App Loader writes on install (it refuses an app that lists its own): not in
  // metadata.json, but beside it for the flasher, which uploads it so the launcher lists the app.
  const info = { id: meta.id, name: meta.shortName ?? meta.name, src: 'bushu.app.js', icon: 'bushu.img', version: meta.version, tags: meta.tags, files: '' };
  info.files = ['bushu.info'].concat(meta.storage.map((s: { name: string }) => s.name)).join(',');
  files.set('bangle/bushu.info', Buffer.from(JSON.stringify(info)));
  files.set('bangle/metadata.json', Buffer.from(JSON.stringify(meta, null, 2) + '\n'));
  // The App Loader's page: its readme, change log, screenshot and the history download page.
  for (const name of ['README.md', 'ChangeLog', 'screenshot.png']) files.set('bangle/' + name, await readFile(join(REPO_ROOT, 'firmware/bangle', name)));
  files.set('bangle/interface.html', Buffer.from(await buildInterface()));
  const listed = meta.storage.map((s: { url: string }) => s.url).concat([meta.icon, meta.readme, meta.interface], meta.screenshots.map((s: { url: string }) => s.url));
  for (const url of listed) if (!files.has('bangle/' + url)) throw new Error(`metadata.json lists ${url}, which the build does not make`);
  // Not for the watch: the source name -> built name of every renamed property, per device group,
  // for the REPL (firmware/README.md) and the tests' evalCore (test/kits/firmware/names.ts).
  files.set('names.json', Buffer.from(JSON.stringify(names, null, 2) + '\n'));

  const out: BuiltFile[] = [];
  for (const [path, data] of files) {
    await mkdir(dirname(join(outDir, path)), { recursive: true });
    await writeFile(join(outDir, path), data);
    const f: BuiltFile = { path, bytes: data.length };
    if (BUDGETS[path] !== undefined) f.budget = BUDGETS[path];
    out.push(f);
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const built = await buildFirmware();
    for (const f of built) console.log(`${f.path.padEnd(24)} ${String(f.bytes).padStart(6)} bytes`);
    console.log(`wrote ${built.length} files to ${relative(process.cwd(), DEFAULT_OUT) || '.'}`);
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  }
}
