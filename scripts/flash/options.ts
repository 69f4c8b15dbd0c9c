// Command-line options of `npm run flash`, parsed and validated in one place so every later step can
// trust them. Any problem is a UsageError (exit code 2) whose message says what to type instead.
import { Command, CommanderError, Option } from 'commander';

export type Target = 'bangle' | 'puck';

/** Where the device is: a BLE name fragment (scanned for), or an explicit port. */
export type Connection =
  | { kind: 'device'; name: string }
  | { kind: 'port'; port: string; transport: 'tcp' | 'serial' | 'ble' };

export interface FlashOptions {
  target: Target;
  connection: Connection;
  dryRun: boolean;
  build: boolean;
  /** Directory holding `bangle/` and `puck/`, as written by scripts/build-firmware.ts. */
  dist: string;
  timeoutSeconds: number;
  /** The key's 32 bytes (given as 64 hex digits), or undefined to leave the device's key alone. */
  key: Uint8Array | undefined;
  /** The instant to set the clock to (at the moment the flasher started); undefined means now. */
  time: Date | undefined;
}

export class UsageError extends Error {}

// A 30 KB Bangle upload over BLE takes about a minute (19-byte writes, 250 ms after each 384-byte chunk).
export const DEFAULT_TIMEOUT_SECONDS = 120;
export const DEFAULT_DEVICE: Record<Target, string> = { bangle: 'Bangle', puck: 'Puck' };

const BLE_ADDRESS = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}( (public|random))?$/i;
const TCP_PORT = /^tcp:\/\/[^\s:/]*(:\d{1,5})?$/;

export function classifyPort(port: string): Connection {
  if (port.startsWith('tcp://')) {
    if (!TCP_PORT.test(port)) throw new UsageError(`--port ${port}: expected tcp://host:port, e.g. tcp://localhost:2323`);
    const portNumber = Number(port.split(':')[2] ?? '23');
    if (portNumber < 1 || portNumber > 65535) throw new UsageError(`--port ${port}: TCP port must be 1-65535`);
    return { kind: 'port', port, transport: 'tcp' };
  }
  if (BLE_ADDRESS.test(port)) return { kind: 'port', port: port.toLowerCase(), transport: 'ble' };
  if (port.startsWith('/dev/') || /^COM\d+$/i.test(port)) return { kind: 'port', port, transport: 'serial' };
  throw new UsageError(
    `--port ${port}: expected a BLE address (aa:bb:cc:dd:ee:ff), a serial device (/dev/ttyACM0, COM3) or tcp://host:port`,
  );
}

/** --key: 64 hex digits, either case, to the 32 bytes that Storage `bushu.key` holds. */
export function parseKey(key: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(key)) {
    const why = /^[0-9a-fA-F]*$/.test(key) ? `${key.length} hex digits` : 'a character that is not a hex digit';
    throw new UsageError(`--key must be exactly 64 hex digits (a 32-byte HMAC key); got ${why}`);
  }
  return new Uint8Array(Buffer.from(key, 'hex'));
}

export function parseTime(iso: string): Date {
  // Only full ISO 8601 date-times: a bare date would silently mean midnight UTC.
  const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
  const date = new Date(iso);
  if (!isoDateTime.test(iso) || Number.isNaN(date.getTime())) {
    throw new UsageError(`--time ${JSON.stringify(iso)}: expected an ISO date-time such as 2026-03-01T08:00:00Z`);
  }
  return date;
}

export function parseTimeout(text: string): number {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(seconds > 0) || seconds > 3600) {
    throw new UsageError(`--timeout ${JSON.stringify(text)}: expected a number of seconds between 0 and 3600`);
  }
  return seconds;
}

function command(): Command {
  return new Command('flash')
    .description('Build the bushu firmware and write it into the Storage of a Bangle.js 2 or Puck.js v2.')
    .addOption(new Option('--target <target>', 'which wearable').choices(['bangle', 'puck']).makeOptionMandatory())
    .option('--device <name>', 'BLE name to scan for (default: Bangle or Puck)')
    .option('--port <addr>', 'BLE address, serial device (/dev/ttyACM0) or tcp://host:port')
    .option('--dry-run', 'print what would be written and the espruino command, then stop', false)
    .option('--no-build', 'do not build; use the files already in --dist')
    .option('--dist <dir>', 'firmware directory with bangle/ and puck/', 'dist/firmware')
    .option('--timeout <seconds>', 'hard time limit for each espruino run', String(DEFAULT_TIMEOUT_SECONDS))
    .option('--key <hex64>', 'per-device HMAC key (64 hex digits), written to Storage as bushu.key (its 32 bytes)')
    .option('--time <iso>', 'set the clock to this instant instead of now (for tests)')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: (s) => process.stdout.write(s) });
}

/** Parses argv (without node and script). Throws UsageError; `--help` throws a CommanderError with code 'commander.helpDisplayed'. */
export function parseFlashArgs(argv: string[]): FlashOptions {
  const program = command();
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError && e.code !== 'commander.helpDisplayed' && e.code !== 'commander.version') {
      throw new UsageError(e.message.replace(/^error: /, ''));
    }
    throw e;
  }
  const o = program.opts<{
    target: Target; device?: string; port?: string; dryRun: boolean; build: boolean;
    dist: string; timeout: string; key?: string; time?: string;
  }>();
  if (program.args.length) throw new UsageError(`unexpected argument ${JSON.stringify(program.args[0])}`);
  if (o.device !== undefined && o.port !== undefined) throw new UsageError('give either --device or --port, not both');
  if (o.device !== undefined && !/^[^\s-][^\n]*$/.test(o.device)) throw new UsageError('--device needs a name such as "Bangle.js 1a2b"');
  const connection: Connection = o.port !== undefined
    ? classifyPort(o.port)
    : { kind: 'device', name: o.device ?? DEFAULT_DEVICE[o.target] };
  return {
    target: o.target,
    connection,
    dryRun: o.dryRun,
    build: o.build,
    dist: o.dist,
    timeoutSeconds: parseTimeout(o.timeout),
    key: o.key === undefined ? undefined : parseKey(o.key),
    time: o.time === undefined ? undefined : parseTime(o.time),
  };
}

export function flashHelp(): string {
  return command().helpInformation();
}
