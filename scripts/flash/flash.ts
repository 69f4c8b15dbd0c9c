// The flash sequence: build (optional), plan the Storage files, upload them with the espruino CLI and
// check their sizes on the device, then set the clock and restart the JavaScript.
//
// The clock is set in a second, short connection on purpose: the CLI computes everything it sends
// before connecting, so a time sent with the upload would be late by the whole upload (tens of
// seconds over BLE). The second run's code is computed just before it connects.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlashOptions } from './options.ts';
import { planStorage, PlanError, KEY_FILE, type StorageFile } from './plan.ts';
import { espruinoArgs, espruinoCliPath, shellQuote, type EspruinoRun } from './espruino-cli.ts';
import { deviceOutput, runEspruino } from './run-espruino.ts';
import { parseSizes, setTimeExpression, sizesExpression, TIME_MARKER } from './device-code.ts';

export interface FlashIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

export class FlashError extends Error {}

const BUILD_SCRIPT = fileURLToPath(new URL('../build-firmware.ts', import.meta.url));

async function build(dist: string, io: FlashIO): Promise<void> {
  if (!existsSync(BUILD_SCRIPT)) {
    throw new FlashError('scripts/build-firmware.ts does not exist yet: build elsewhere and use --no-build --dist DIR');
  }
  const mod = (await import(BUILD_SCRIPT)) as { buildFirmware?: (outDir?: string) => Promise<unknown> };
  if (typeof mod.buildFirmware !== 'function') throw new FlashError('scripts/build-firmware.ts exports no buildFirmware()');
  io.out(`building firmware into ${dist}`);
  await mod.buildFirmware(dist);
}

function describeTarget(o: FlashOptions): string {
  return o.connection.kind === 'device' ? `BLE device named like "${o.connection.name}"` : o.connection.port;
}

function commandLine(run: EspruinoRun): string {
  return ['node', espruinoCliPath(), ...espruinoArgs(run)].map(shellQuote).join(' ');
}

function printPlan(files: StorageFile[], keyPath: string, io: FlashIO): void {
  const width = Math.max(...files.map((f) => f.name.length));
  for (const f of files) {
    const from = f.source ?? `${keyPath} (generated from --key)`;
    io.out(`  ${f.name.padEnd(width)}  ${String(f.size).padStart(7)} bytes  ${from}`);
  }
}

/** Runs the whole flash; returns the process exit code (0 done, 1 failed). Usage errors are the caller's. */
export async function flash(o: FlashOptions, io: FlashIO): Promise<number> {
  const started = Date.now();
  const dist = resolve(o.dist);
  const where = describeTarget(o);
  let tmp: string | undefined;
  try {
    if (o.build && !o.dryRun) await build(dist, io);
    const files = await planStorage(o.target, dist, o.key);

    tmp = o.dryRun ? undefined : await mkdtemp(join(tmpdir(), 'bushu-flash-'));
    const keyPath = join(tmp ?? '$TMPDIR', KEY_FILE);
    // The raw 32 bytes: the CLI reads the file as binary and sends it base64-encoded (atob on the device).
    if (o.key !== undefined && tmp !== undefined) await writeFile(keyPath, o.key, { mode: 0o600 });
    const upload: EspruinoRun = {
      target: o.target,
      connection: o.connection,
      storage: files.map((f) => ({ name: f.name, path: f.source ?? keyPath })),
      expression: sizesExpression(files.map((f) => f.name)),
    };

    if (o.dryRun) {
      io.out(`dry run: would write ${files.length} Storage files to ${where} (${o.target}):`);
      printPlan(files, keyPath, io);
      io.out('upload command:');
      io.out(`  ${commandLine(upload)}`);
      io.out('then, in a second connection, set the clock and restart:');
      io.out(`  ${commandLine({ ...upload, storage: [], expression: setTimeExpression(o.time ?? new Date()) })}`);
      if (o.build) io.out('(the build was skipped because of --dry-run)');
      return 0;
    }

    io.out(`writing ${files.length} Storage files to ${where}:`);
    printPlan(files, keyPath, io);
    // The CLI pauses 250 ms after every 384-byte chunk; the link itself adds more over BLE.
    const chunks = files.reduce((n, f) => n + Math.ceil(f.size / 384), 0);
    io.out(`uploading (at least ${Math.ceil(chunks * 0.25)} s; time limit ${o.timeoutSeconds} s)…`);
    const cli = espruinoCliPath();
    const first = await runEspruino({
      node: process.execPath, script: cli, args: espruinoArgs(upload), timeoutSeconds: o.timeoutSeconds, where,
    });
    if (!first.ok) throw new FlashError(`upload failed: ${first.reason}`);
    const said = deviceOutput(first.output);
    const sizes = parseSizes(said);
    if (sizes === undefined) {
      throw new FlashError(said.trim() === ''
        ? `upload failed: ${where} accepted the connection but never answered (no prompt): is it an Espruino console, and is nothing else connected to it?`
        : `upload failed: the device never confirmed the files; it said:\n${said.trim()}`);
    }
    files.forEach((f, i) => {
      if (sizes[i] !== f.size) {
        throw new FlashError(`upload failed: ${f.name} has ${sizes[i] === -1 ? 'no file' : `${sizes[i]} bytes`} on the device, expected ${f.size}`);
      }
    });
    io.out(`upload verified: every file has the expected size on the device`);

    // Reuse the address the scan found, so the second run does not scan again.
    const found = /Found .* \("([^"]+)"\)/.exec(first.output);
    const connection = o.connection.kind === 'device' && found
      ? { kind: 'port' as const, port: found[1]!, transport: 'ble' as const }
      : o.connection;
    const time = new Date((o.time?.getTime() ?? started) + (Date.now() - started));
    const second = await runEspruino({
      node: process.execPath,
      script: cli,
      args: espruinoArgs({ target: o.target, connection, storage: [], expression: setTimeExpression(time) }),
      timeoutSeconds: o.timeoutSeconds,
      where,
    });
    if (!second.ok) throw new FlashError(`files written, but setting the time failed: ${second.reason}`);
    if (!deviceOutput(second.output).includes(TIME_MARKER)) {
      throw new FlashError('files written, but the device did not confirm the new time');
    }
    const zone = -time.getTimezoneOffset() / 60;
    io.out(`clock set to ${time.toISOString()} (UTC${zone >= 0 ? '+' : ''}${zone}); restarted with load()`);
    io.out(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (e) {
    if (e instanceof FlashError || e instanceof PlanError) {
      io.err(`flash: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  }
}
