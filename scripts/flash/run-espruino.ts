// Runs the espruino CLI as a child process under a hard time limit and turns its output into a
// clear result. The child gets its own process group so a timeout kills it and anything it started
// (noble's HCI helper, for example) in one go.
import { spawn } from 'node:child_process';

export type RunOutcome =
  | { ok: true; output: string }
  | { ok: false; reason: string; output: string };

/** Output lines that mean the run cannot succeed: stop at once instead of waiting for the time limit. */
const FATAL: { pattern: RegExp; reason: (m: RegExpMatchArray, where: string) => string }[] = [
  { pattern: /ECONNREFUSED/, reason: (_m, w) => `connection refused by ${w}: is the Espruino console listening there?` },
  { pattern: /ENOTFOUND|EAI_AGAIN/, reason: (_m, w) => `host not found for ${w}` },
  { pattern: /EHOSTUNREACH|ENETUNREACH/, reason: (_m, w) => `${w} is unreachable` },
  { pattern: /Port named "([^"]*)" not found/, reason: (m) => `no BLE device named like "${m[1]}" found: is it in range, awake and not connected elsewhere? (see firmware/FLASHING.md)` },
  { pattern: /serial: Port "([^"]*)" not found/, reason: (m) => `port ${m[1]} not found: check the device path (ls /dev/tty*) or the BLE address` },
  { pattern: /Unable to connect!/, reason: (_m, w) => `unable to connect to ${w}` },
  { pattern: /Error: No Ports Found/, reason: () => 'no serial or BLE ports found' },
  { pattern: /system_bus_socket|org\.bluez|DBus/i, reason: () => 'Bluetooth through D-Bus failed: no D-Bus here; see firmware/FLASHING.md (noble needs setcap)' },
  { pattern: /EACCES|EPERM/, reason: (_m, w) => `permission denied opening ${w}: see firmware/FLASHING.md (dialout group, setcap for BLE)` },
  { pattern: /^--\] .*Uncaught (.*)$/m, reason: (m) => `the device reported an error during the upload: Uncaught ${m[1]}` },
];

export interface RunRequest {
  node: string;
  script: string;
  args: string[];
  timeoutSeconds: number;
  /** Shown in error messages: the port or device name. */
  where: string;
  /** Called with each chunk of output, for --verbose style progress. */
  onOutput?: (text: string) => void;
}

export function runEspruino(req: RunRequest): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const child = spawn(req.node, [req.script, ...req.args], {
      detached: true, // own process group, killed as a whole
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let failure: string | undefined;
    let settled = false;

    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      failure ??= `timed out after ${req.timeoutSeconds} s: is the device in range / is the port right?`;
      killGroup();
    }, req.timeoutSeconds * 1000);
    // If the flasher itself is interrupted, do not leave the CLI holding the port.
    const onExit = () => killGroup();
    process.once('exit', onExit);

    const take = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      req.onOutput?.(text);
      if (failure !== undefined) return;
      for (const f of FATAL) {
        const m = output.match(f.pattern);
        if (m) {
          failure = f.reason(m, req.where);
          killGroup();
          return;
        }
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);

    const finish = (outcome: RunOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      process.removeListener('exit', onExit);
      resolve(outcome);
    };
    child.on('error', (e) => finish({ ok: false, reason: `could not start the espruino CLI: ${e.message}`, output }));
    child.on('close', (code, signal) => {
      if (failure !== undefined) finish({ ok: false, reason: failure, output });
      else if (code !== 0) finish({ ok: false, reason: `espruino exited with ${signal ?? `code ${code}`}`, output });
      else finish({ ok: true, output });
    });
  });
}

/** The device's own output: the lines the CLI prefixes with "--] ". */
export function deviceOutput(output: string): string {
  return output.split('\n').filter((l) => l.startsWith('--] ')).map((l) => l.slice(4)).join('\n');
}
