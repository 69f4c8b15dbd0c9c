import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import * as tstl from 'typescript-to-lua';

/** Repository root, so the build works from any working directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** tstl options (target, lualib, noImplicitSelf...) live in one place: tsconfig.lua.json. */
const CONFIG = join(REPO_ROOT, 'tsconfig.lua.json');

/** Hand-written Lua: the typed-array shim and the stdin driver, copied beside the compiled modules. */
const RUNTIME_DIR = join(REPO_ROOT, 'shared/pedometer/lua');
const RUNTIME_FILES = ['typedarrays.lua', 'count.lua'];

/** Lua sources by path relative to the output directory, e.g. `pedometer.lua`, `lualib_bundle.lua`. */
export type LuaFiles = Map<string, string>;

export interface CompileOptions {
  /** Entry .ts files (absolute or relative to the repository); default: `files` of tsconfig.lua.json. */
  entries?: string[];
  /** Directory that module names are relative to; default: rootDir of tsconfig.lua.json. */
  rootDir?: string;
}

/**
 * Compile TypeScript to Lua in memory with the options of tsconfig.lua.json.
 * Any diagnostic (type error, or a construct tstl cannot translate such as `>>` or Math.hypot)
 * fails the build: tstl still emits code after most of them, and that code would be wrong.
 */
export function compileLua(options: CompileOptions = {}): LuaFiles {
  const parsed = tstl.parseConfigFileWithSystem(CONFIG);
  const outDir = join(REPO_ROOT, 'dist/lua'); // virtual: nothing is written here by this function
  const rootDir = options.rootDir ? resolve(REPO_ROOT, options.rootDir) : parsed.options.rootDir;
  const entries = options.entries?.map((f) => resolve(REPO_ROOT, f)) ?? parsed.fileNames;
  const files: LuaFiles = new Map();
  const result = tstl.transpileFiles(entries, { ...parsed.options, rootDir, outDir }, (fileName, text) => {
    files.set(relative(outDir, fileName).split(sep).join('/'), text);
  });
  const diagnostics = [...parsed.errors, ...result.diagnostics];
  if (diagnostics.length > 0) {
    throw new Error(
      `typescript-to-lua failed:\n${ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => REPO_ROOT,
        getNewLine: () => '\n',
      })}`,
    );
  }
  return files;
}

/** The complete Lua build of the pedometer: compiled modules, lualib, shim and driver. */
export async function buildPedometerLua(): Promise<LuaFiles> {
  const files = compileLua();
  for (const name of RUNTIME_FILES) files.set(name, await readFile(join(RUNTIME_DIR, name), 'utf8'));
  return files;
}

/** Lua module name of an output path: `pedometer.lua` -> `pedometer`, `a/b.lua` -> `a.b`. */
export function moduleName(path: string): string {
  return path.replace(/\.lua$/, '').split('/').join('.');
}

/** Replace `dir` with exactly `files`, so a renamed or deleted module cannot linger. */
export async function writeLuaFiles(files: LuaFiles, dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  for (const [path, text] of files) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }
}
