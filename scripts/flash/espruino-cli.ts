// How to call the `espruino` command-line tool (EspruinoTools) for an upload: its entry point and
// the flags. The flags that matter, from reading node_modules/espruino/bin/espruino-cli.js:
//   --board FILE.json  board data from a file; also turns off the `process.env` probe on connect
//                      (ENV_ON_CONNECT), so nothing is fetched from espruino.com
//   --storage N:FILE   writes FILE into Storage as N (split at the first ':'), as chunks of
//                      require("Storage").write(N,atob("…"),offset[,size]) prepended to the code
//   -e EXPR            code to run after the writes; with no file to upload it also skips reset()
//   --no-ble           no noble and no node-ble (D-Bus): for serial and TCP
//   --config BLUETOOTH_LOW_ENERGY_DBUS=false  BLE through noble (HCI socket) only, never D-Bus
// It exits 0 even when it could not connect, so the output is what tells success from failure.
// Do NOT pass --config SERIAL_THROTTLE_SEND=2: with throttling off, code shorter than one 512-byte
// block never calls the CLI's "written" callback (serial.js only calls it when showStatus), and
// the CLI then waits forever. Throttled, it sends 19-byte blocks, which is what BLE wants anyway.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection, Target } from './options.ts';

export const BOARD_FILES: Record<Target, string> = {
  bangle: join(dirname(fileURLToPath(import.meta.url)), 'boards', 'BANGLEJS2.json'),
  puck: join(dirname(fileURLToPath(import.meta.url)), 'boards', 'PUCKJS.json'),
};

/** Absolute path of the CLI script (run with the current node, so no shell and no PATH lookup). */
export function espruinoCliPath(): string {
  return createRequire(import.meta.url).resolve('espruino/bin/espruino-cli.js');
}

export interface EspruinoRun {
  target: Target;
  connection: Connection;
  /** Storage name to local file. */
  storage: { name: string; path: string }[];
  expression: string;
  /** Seconds spent scanning for a BLE name. */
  scanSeconds?: number;
}

function connectionArgs(c: Connection, scanSeconds: number): string[] {
  if (c.kind === 'device') {
    // Scanning by name needs BLE; noble talks to the adapter directly, so no D-Bus is needed.
    return ['--config', 'BLUETOOTH_LOW_ENERGY_DBUS=false', '--scan-timeout', String(scanSeconds), '-d', c.name];
  }
  switch (c.transport) {
    case 'ble':
      return ['--config', 'BLUETOOTH_LOW_ENERGY_DBUS=false', '-p', c.port];
    case 'serial':
    case 'tcp':
      return ['--no-ble', '-p', c.port];
  }
}

/** Arguments after the script path. */
export function espruinoArgs(run: EspruinoRun): string[] {
  const args = ['--board', BOARD_FILES[run.target], ...connectionArgs(run.connection, run.scanSeconds ?? 5)];
  for (const f of run.storage) args.push('--storage', `${f.name}:${f.path}`);
  // The CLI reads an -e value starting with '-' as a missing argument; ours never do.
  args.push('-e', run.expression);
  return args;
}

/** Quotes for a POSIX shell, for printing the command line only. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
