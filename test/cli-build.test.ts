// The compiled `bushu` command in dist/cli (built by the global setup, as `npm run build` does):
// it runs on the production dependencies alone, `--help` loads only the registry and commander,
// and the files the services read next to their code (migrations, dashboard) come along.
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importsOf, packageOf, undeclaredPackages } from './kits/bundle-imports.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist/cli');
const BIN = join(ROOT, 'bin/bushu.js');

let pkg: { dependencies: Record<string, string>; devDependencies: Record<string, string> };
let chunks: Map<string, string>;

beforeAll(async () => {
  pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  chunks = new Map();
  for (const name of (await readdir(DIST)).filter((n) => n.endsWith('.js'))) chunks.set(name, await readFile(join(DIST, name), 'utf8'));
});

describe('dist/cli', () => {
  it('imports only Node builtins and production dependencies', () => {
    expect(chunks.has('main.js')).toBe(true);
    expect(chunks.size).toBeGreaterThan(9); // the entry and a chunk per command at least
    const undeclared = [...chunks].flatMap(([name, code]) => undeclaredPackages(code, pkg.dependencies).map((s) => `${name} imports ${s}`));
    expect(undeclared).toEqual([]);
  });

  it('would report a chunk that imports a dev tool', () => {
    const code = 'import { build } from "esbuild";\nimport "node:fs";\nimport { readFile } from "fs";\nexport * from "tsx/esm/api";\nimport x from "@abandonware/noble/lib/noble.js";\n' +
      'const ts = await import("typescript");\nconst terser = "import(\'terser\')"; // only a string\n';
    expect(undeclaredPackages(code, pkg.dependencies)).toEqual(['esbuild', 'tsx/esm/api', 'typescript']);
    for (const dev of ['esbuild', 'typescript', 'tsx', 'terser']) expect(pkg.devDependencies).toHaveProperty(dev);
    expect(packageOf('@abandonware/noble/lib/noble.js')).toBe('@abandonware/noble');
  });

  it('loads each command with import() and nothing but the registry and commander for --help', () => {
    // What main.js loads before any action runs: itself and the chunks it imports statically.
    const loaded = new Set<string>();
    const visit = (name: string) => {
      if (loaded.has(name)) return;
      loaded.add(name);
      for (const i of importsOf(chunks.get(name)!)) if (!i.dynamic && i.specifier.startsWith('./')) visit(i.specifier.slice(2));
    };
    visit('main.js');
    const code = [...loaded].map((name) => chunks.get(name)!);
    // esbuild heads each bundled module with a comment naming its source file.
    const modules = new Set(code.flatMap((c) => [...c.matchAll(/^\/\/ ([\w./-]+\.(?:ts|json))$/gm)].map((m) => m[1])));
    expect([...modules].sort()).toEqual(['bridge/log-levels.ts', 'cli/main.ts', 'cli/options.ts', 'cli/outbox-states.ts', 'package.json']);
    const packages = new Set(code.flatMap((c) => importsOf(c).filter((i) => !i.dynamic).map((i) => packageOf(i.specifier))));
    expect([...packages].filter((p) => p !== undefined)).toEqual(['commander']);
    const commands = importsOf(chunks.get('main.js')!).filter((i) => i.dynamic).map((i) => i.specifier.replace(/^\.\/(.+)-[A-Z0-9]+\.js$/, '$1'));
    expect(commands.sort()).toEqual(['count', 'demo', 'export', 'outbox', 'run', 'scan', 'serve', 'status', 'sync']);
  });
});

describe('bin/bushu.js without a build', () => {
  it('says in one line to run npm run build and exits 1', async () => {
    // A copy of the bin in a folder with no dist/ next to it, as in a clone before the build.
    const dir = await mkdtemp(join(tmpdir(), 'bushu-unbuilt-'));
    try {
      await mkdir(join(dir, 'bin'));
      await copyFile(BIN, join(dir, 'bin/bushu.js'));
      const failed = await promisify(execFile)(process.execPath, [join(dir, 'bin/bushu.js'), '--help']).then(() => undefined, (e: { code: number; stdout: string; stderr: string }) => e);
      expect(failed?.code).toBe(1);
      expect(failed?.stdout).toBe('');
      expect(failed?.stderr).toMatch(/^bushu: not built \(no .*main\.js\): run `npm run build` in .*\n$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('compiled bushu serve', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bushu-serve-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('migrates a fresh SQLite database and serves the dashboard files', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', 'fresh.db'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let url: string | undefined;
      for await (const line of createInterface({ input: child.stdout })) {
        url = /^\s+dashboard\s+(http:\/\/\S+)\/$/.exec(line)?.[1];
        if (url !== undefined) break;
      }
      expect(url, stderr).toBeDefined();
      for (const [path, file, type] of [['/', 'index.html', 'text/html'], ['/app.js', 'app.js', 'text/javascript'], ['/chart.js', 'chart.js', 'text/javascript'], ['/i18n.js', 'i18n.js', 'text/javascript'], ['/style.css', 'style.css', 'text/css']]) {
        const res = await fetch(url + path);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toContain(type);
        expect(await res.text()).toBe(await readFile(join(ROOT, 'services/dashboard', file), 'utf8'));
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const migrations = (await readdir(join(ROOT, 'services/db/migrations/sqlite'))).filter((f) => f.endsWith('.sql'));
    const db = new Database(join(dir, 'fresh.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual(migrations.map((f) => ({ version: Number(f.slice(0, 3)) })));
    } finally {
      db.close();
    }
  });
});
