// `npm run flash` end to end: the real flasher (scripts/flash.ts through tsx) drives the real
// espruino CLI against a local TCP stand-in for the Espruino console, and the bytes the stand-in
// received are replayed into a fake device to check what Storage would hold.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConsoleStandin } from '../scripts/flash/console-standin.ts';
import { replay } from '../scripts/flash/espruino-console.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const KEY = '00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff';
const TIME = '2026-03-01T08:00:00Z';

interface Result { code: number | null; stdout: string; stderr: string; ms: number }

/** Runs the flasher; `limitMs` is a safety net so a hang fails the test instead of stalling it. */
function runFlash(args: string[], limitMs = 40_000, env: Record<string, string> = {}): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [join(ROOT, 'scripts/flash.ts'), ...args], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`flash did not finish within ${limitMs} ms\n${stdout}\n${stderr}`));
    }, limitMs);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

let tmp: string;
let dist: string;
const bangleFiles: Record<string, Buffer> = {
  'bushu.boot.js': Buffer.from('(function(){var s=require("Storage");bleServices=global.bleServices||{};})();\n'),
  'bushu.wid.js': Buffer.from('WIDGETS.bushu={area:"tl",width:24,draw:function(){g.drawString("\u6b69",this.x,this.y);}};\n', 'utf8'),
  // Long enough for several 384-byte chunks, with every byte value (an image is binary).
  'bushu.app.js': Buffer.from(`// app\n${'g.clear();Bangle.drawWidgets();\n'.repeat(40)}`),
  'bushu.img': Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 255)),
};
const puckBundle = Buffer.from('Puck.accelOn(12.5);Puck.on("accel",function(e){var a=e.acc;LED1.write(a.x>9000);});\n'.repeat(12));

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'bushu-flash-test-'));
  dist = join(tmp, 'dist');
  await mkdir(join(dist, 'bangle'), { recursive: true });
  await mkdir(join(dist, 'puck'), { recursive: true });
  const storage = [
    { name: 'bushu.boot.js', url: 'bushu.boot.js' },
    { name: 'bushu.wid.js', url: 'bushu.wid.js' },
    { name: 'bushu.app.js', url: 'bushu.app.js' },
    { name: 'bushu.img', url: 'bushu.img' },
  ];
  await writeFile(join(dist, 'bangle/metadata.json'), JSON.stringify({ id: 'bushu', storage }));
  for (const [name, bytes] of Object.entries(bangleFiles)) await writeFile(join(dist, 'bangle', name), bytes);
  await writeFile(join(dist, 'puck/bushu.js'), puckBundle);
  return () => rm(tmp, { recursive: true, force: true });
});

let standin: ConsoleStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

describe('npm run flash against the console stand-in', () => {
  it('writes every Bangle file byte for byte, the key, and sets the time', async () => {
    standin = await ConsoleStandin.start('repl');
    const r = await runFlash(['--target', 'bangle', '--port', standin.url, '--no-build', '--dist', dist,
      '--timeout', '20', '--key', KEY, '--time', TIME], 40_000, { TZ: 'Asia/Kolkata' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('upload verified');

    const { files, events } = replay(standin.recording());
    expect([...files.keys()].sort()).toEqual([...Object.keys(bangleFiles), 'bushu.key'].sort());
    for (const [name, bytes] of Object.entries(bangleFiles)) expect(files.get(name)!.equals(bytes), name).toBe(true);
    // The raw 32 bytes, including 0x00 and bytes above 0x7f, exactly.
    expect(files.get('bushu.key')!.equals(Buffer.from(KEY, 'hex'))).toBe(true);
    expect(standin.device.storage.files.get('bushu.key')!.equals(Buffer.from(KEY, 'hex'))).toBe(true);

    expect(events.setTime).toHaveLength(1);
    expect(Math.abs(events.setTime[0]! - Date.parse(TIME) / 1000)).toBeLessThan(60);
    expect(events.timeZone).toEqual([5.5]); // the flasher's host zone (TZ=Asia/Kolkata), not UTC
    expect(events.loads).toHaveLength(1);
    expect(events.errors).toEqual([]);
    // Upload and time-setting are two connections; the device state is the same either way.
    expect(standin.connections).toHaveLength(2);
    expect(standin.device.storage.files.get('bushu.img')!.equals(bangleFiles['bushu.img']!)).toBe(true);
  }, 60_000);

  it('writes the Puck bundle as .bootcde and leaves the key alone without --key', async () => {
    standin = await ConsoleStandin.start('repl');
    const r = await runFlash(['--target', 'puck', '--port', standin.url, '--no-build', '--dist', dist,
      '--timeout', '20', '--time', TIME]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { files, events } = replay(standin.recording());
    expect([...files.keys()]).toEqual(['.bootcde']);
    expect(files.get('.bootcde')!.equals(puckBundle)).toBe(true);
    expect(Math.abs(events.setTime[0]! - Date.parse(TIME) / 1000)).toBeLessThan(60);
    expect(events.loads).toHaveLength(1);
  }, 60_000);

  it('--dry-run prints the plan and the command, and never connects', async () => {
    standin = await ConsoleStandin.start('repl');
    const r = await runFlash(['--target', 'bangle', '--port', standin.url, '--no-build', '--dist', dist,
      '--dry-run', '--key', KEY]);
    expect(r.code).toBe(0);
    for (const [name, bytes] of Object.entries(bangleFiles)) {
      expect(r.stdout).toMatch(new RegExp(`${name.replace(/\./g, '\\.')}\\s+${bytes.length} bytes\\s+${join(dist, 'bangle', name)}`));
    }
    expect(r.stdout).toMatch(/bushu\.key\s+32 bytes/);
    expect(r.stdout).toContain('espruino-cli.js');
    expect(r.stdout).toContain(`--storage bushu.app.js:${join(dist, 'bangle/bushu.app.js')}`);
    expect(r.stdout).not.toContain(KEY.toLowerCase());
    expect(standin.connections).toHaveLength(0);
  }, 30_000);

  it('reports a closed port quickly', async () => {
    const probe = await ConsoleStandin.start('repl');
    const closedUrl = probe.url;
    await probe.close(); // nothing listens there any more
    const r = await runFlash(['--target', 'puck', '--port', closedUrl, '--no-build', '--dist', dist, '--timeout', '30']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`connection refused by ${closedUrl}`);
    expect(r.ms).toBeLessThan(20_000); // well under the 30 s limit: it did not wait for the timeout
  }, 40_000);

  it('a console that accepts but never answers is reported, within the time limit', async () => {
    standin = await ConsoleStandin.start('silent');
    const r = await runFlash(['--target', 'puck', '--port', standin.url, '--no-build', '--dist', dist, '--timeout', '15']);
    expect(r.code).toBe(1);
    // The espruino CLI gives up waiting for a prompt and "completes"; the missing confirmation tells.
    expect(r.stderr).toContain(`${standin.url} accepted the connection but never answered (no prompt)`);
    expect(standin.connections).toHaveLength(1);
    expect(r.ms).toBeLessThan(15_000);
  }, 40_000);

  it('a console that never answers but keeps printing hits the time limit', async () => {
    // The CLI waits for 500 ms of quiet before exiting, so a chatty program keeps it alive forever.
    standin = await ConsoleStandin.start('chatty');
    const r = await runFlash(['--target', 'puck', '--port', standin.url, '--no-build', '--dist', dist, '--timeout', '4']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('upload failed: timed out after 4 s: is the device in range / is the port right?');
    expect(r.ms).toBeGreaterThan(4_000);
    // The killed CLI's connection is gone: nothing is left holding the port.
    if (!standin.connections[0]!.closed) await new Promise((resolve) => standin!.once('close', resolve));
    expect(standin.connections[0]!.closed).toBe(true);
  }, 40_000);
});

describe('npm run flash argument errors', () => {
  const cases: [string[], RegExp][] = [
    [['--port', 'tcp://127.0.0.1:1'], /required option '--target <target>'/],
    [['--target', 'fitbit'], /Allowed choices are bangle, puck/],
    [['--target', 'puck', '--key', 'abc'], /--key must be exactly 64 hex digits.*got 3 hex digits/],
    [['--target', 'puck', '--key', 'g'.repeat(64)], /--key must be exactly 64 hex digits.*not a hex digit/],
    [['--target', 'puck', '--time', 'yesterday'], /--time "yesterday": expected an ISO date-time/],
    [['--target', 'puck', '--timeout', '0'], /--timeout "0"/],
    [['--target', 'puck', '--port', 'nowhere'], /--port nowhere: expected a BLE address/],
    [['--target', 'puck', '--device', 'Puck', '--port', 'tcp://localhost:2323'], /either --device or --port/],
    [['--target', 'puck', '--frobnicate'], /unknown option '--frobnicate'/],
  ];
  it.each(cases)('%j is a usage error (exit 2)', async (args, message) => {
    const r = await runFlash(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  }, 30_000);

  it('a missing dist directory is a clear failure (exit 1)', async () => {
    const r = await runFlash(['--target', 'bangle', '--port', 'tcp://127.0.0.1:1', '--no-build', '--dist', join(tmp, 'nope')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(tmp, 'nope', 'bangle', 'metadata.json')}: not found`);
  }, 30_000);
});

describe('with the real firmware build', () => {
  const buildScript = join(ROOT, 'scripts/build-firmware.ts');
  it.skipIf(!existsSync(buildScript))('flashes what scripts/build-firmware.ts builds (skipped when that script does not exist)', async () => {
    standin = await ConsoleStandin.start('repl');
    const out = join(tmp, 'built');
    const r = await runFlash(['--target', 'bangle', '--port', standin.url, '--dist', out, '--timeout', '90', '--time', TIME], 150_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const meta = JSON.parse(await readFile(join(out, 'bangle/metadata.json'), 'utf8')) as { storage: { name: string; url: string }[] };
    const { files } = replay(standin.recording());
    // Every file the App Loader would write, its own bushu.info included (built beside metadata.json).
    const written = meta.storage.concat([{ name: 'bushu.info', url: 'bushu.info' }]);
    expect([...files.keys()].sort()).toEqual(written.map((s) => s.name).sort());
    for (const s of written) expect(files.get(s.name)!.equals(await readFile(join(out, 'bangle', s.url))), s.name).toBe(true);
  }, 180_000);
});
