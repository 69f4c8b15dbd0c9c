// Bad input to the `bushu` command, run as a user runs it (the compiled dist/cli through
// bin/bushu.js, in its own process): each case must end with its exit code and one line saying
// what is wrong, never a stack trace.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/bushu.js', import.meta.url));
let dir: string;
let busy: Server;
let busyPort: number;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function bushu(args: string[], env: Record<string, string> = {}, timeout = 60_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, BUSHU_LOG_LEVEL: undefined, DATABASE_URL: undefined, ...env }, timeout }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

/** Exit code 1 and exactly one line on stderr, matching `pattern`, with no stack frame anywhere. */
function expectOneLine(r: Ran, pattern: RegExp) {
  expect(r.stderr + r.stdout).not.toMatch(/^\s+at /m);
  expect(r.code).toBe(1);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bushu-cli-errors-'));
  busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((r) => busy.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('bushu serve refuses to start with one line', () => {
  it('on a port in use', async () => {
    expectOneLine(await bushu(['serve', '--port', String(busyPort), '--db', join(dir, 's1.db')]), new RegExp(`^bushu serve: port ${busyPort} is in use on 127\\.0\\.0\\.1 .*--port 0`));
  });
  it('on --db in a folder that does not exist', async () => {
    expectOneLine(await bushu(['serve', '--port', '0', '--db', join(dir, 'missing', 'x.db')]), /^bushu serve: --db .*x\.db: the folder .*missing does not exist$/);
  });
  it('on --db that is not a SQLite file', async () => {
    const file = join(dir, 'notes.db');
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
    expectOneLine(await bushu(['serve', '--port', '0', '--db', file]), /^bushu serve: cannot open the sqlite .*notes\.db database: the file is not a SQLite database$/);
  });
  it('on a --host that is not an address', async () => {
    expectOneLine(await bushu(['serve', '--port', '0', '--db', join(dir, 's2.db'), '--host', '999.1.1.1']), /^bushu serve: --host 999\.1\.1\.1 is not an address/);
  });
  it('when PostgreSQL does not answer at DATABASE_URL', async () => {
    expectOneLine(await bushu(['serve', '--port', '0'], { DATABASE_URL: 'postgres://bushu@127.0.0.1:1/nothing?connect_timeout=2' } /* port 1: nothing listens */), /^bushu serve: cannot open the postgresql postgres:\/\/…@127\.0\.0\.1:\d+\/nothing.* database: /);
  });
  it('on a bad --port, --log-level or BUSHU_LOG_LEVEL', async () => {
    expectOneLine(await bushu(['serve', '--port', '99999']), /--port <port>.*must be an integer in 0\.\.65535, got "99999"/);
    expectOneLine(await bushu(['--log-level', 'loud', 'serve']), /--log-level <level>.*must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/);
    expectOneLine(await bushu(['serve', '--port', '0'], { BUSHU_LOG_LEVEL: 'LOUD' }), /BUSHU_LOG_LEVEL must be one of .*got "LOUD"/);
  });
});

describe('the BLE commands check their flags before doing anything', () => {
  it.each([
    [['scan', '--simulate', 'abc'], /--simulate <n>.*must be an integer in 1\.\.1000, got "abc"/],
    [['scan', '--simulate', '1', '--seconds', 'abc'], /--seconds <n>.*must be a number of seconds above 0/],
    [['sync', '--simulate', '1', '--device', 'c0:ff:ee:00:01:zz'], /--device <id>.*must be a Bluetooth address \(c0:ff:ee:00:01:00\) or 12 hex digits/],
    [['sync', '--simulate', '0'], /--simulate <n>.*must be an integer in 1\.\.1000, got "0"/],
    [['run', '--simulate', '1', '--speed', '0'], /--speed <x>.*must be a number above 0/],
    [['run', '--simulate', '1', '--for', '-1'], /--for <seconds>.*must be a number of seconds above 0/],
    [['--log-level', 'loud', 'sync', '--simulate', '1'], /--log-level <level>.*got "loud"/],
  ])('bushu %j', async (args, pattern) => {
    expectOneLine(await bushu(args as string[]), pattern as RegExp);
  });

  it('a bad config is one line per problem for scan, sync and run', async () => {
    const file = join(dir, 'bad.config.json');
    writeFileSync(file, '{"ble": {"scanSeconds": "soon"}}');
    for (const cmd of ['scan', 'sync', 'run']) expectOneLine(await bushu([cmd, '--config', file, '--simulate', '1']), /^bushu: .*bad\.config\.json: ble\.scanSeconds: /);
  });

  it('a store it cannot open is one line', async () => {
    const file = join(dir, 'store-notes.db');
    writeFileSync(file, 'not a database\n'.repeat(300));
    expectOneLine(await bushu(['status', '--db', file]), /^bushu: .*store-notes\.db/);
  });
});

describe('the colon form of an address', () => {
  it('syncs the device its 12 hex digits name', async () => {
    const db = join(dir, 'colon.db');
    const r = await bushu(['sync', '--simulate', '1', '--days', '1', '--db', db, '--device', 'C0:FF:EE:00:01:00', '--json'], {}, 120_000);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { results: { device: string }[]; failures: unknown[] };
    expect(out.results.map((x) => x.device)).toEqual(['c0ffee000100']);
    expect(out.failures).toEqual([]);
  }, 150_000);
});

describe('bushu run --json', () => {
  it('prints only JSON lines on stdout, its last one the totals', async () => {
    const r = await bushu(['run', '--simulate', '1', '--days', '1', '--for', '2', '--db', join(dir, 'run.db'), '--json'], {}, 120_000);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    const events = lines.map((l) => JSON.parse(l) as { kind: string });
    expect(events.at(-1)).toMatchObject({ kind: 'stopped', failures: 0, badPayloads: 0 });
    // the first sync after the watches boot succeeds (no "Info: version 0" failure)
    expect(events.filter((e) => e.kind === 'job' && (e as { type?: string }).type === 'fail')).toEqual([]);
  }, 150_000);
});
