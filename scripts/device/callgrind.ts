// Runs a script on the Linux build of Espruino under valgrind's callgrind and returns the
// instructions the interpreter's main thread executed between marker calls. Instructions, not
// time: the count does not move with the load on the machine.
//
// What the Linux build needs (learned the hard way): stdin must never reach end of file (its input
// thread would read garbage and stop the interpreter), so it gets a FIFO opened read-write, which
// nobody ever writes; the script ends itself with quit() from a timer; and callgrind must keep
// threads apart (the input thread's polling would otherwise be counted too).

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The marker: a native function the measured code never calls otherwise. callgrind dumps its
 * counters just before each call, so the instructions between two marker calls land in one dump.
 */
export const MARKER_CALL = 'E.getErrorFlags()';
const MARKER_SYMBOL = 'jswrap_espruino_getErrorFlags';

export interface Tools {
  espruino: string;
  valgrind: string;
}

/** The tools from the environment, or why they are missing (one line). */
export function findTools(env: NodeJS.ProcessEnv): Tools | string {
  const espruino = env.ESPRUINO_BIN;
  if (!espruino) return 'ESPRUINO_BIN is not set (a Linux build of Espruino; see firmware/README.md, "CPU cost")';
  if (spawnSync(espruino, ['--help'], { stdio: 'ignore', timeout: 10_000 }).error) return `ESPRUINO_BIN=${espruino} does not run`;
  const valgrind = env.VALGRIND_BIN ?? 'valgrind';
  if (spawnSync(valgrind, ['--version'], { stdio: 'ignore', timeout: 10_000 }).error) return 'valgrind is not installed (Debian package valgrind)';
  return { espruino, valgrind };
}

export interface Run {
  /** Instructions between consecutive marker calls: entry k is from marker k to marker k + 1. */
  intervals: number[];
  /** What the script printed. */
  output: string;
}

/** The main thread's instruction total in one callgrind output file. */
function total(file: string): number {
  const m = /^totals: (\d+)/m.exec(readFileSync(file, 'utf8'));
  if (!m) throw new Error(`no totals in ${file}`);
  return Number(m[1]);
}

/**
 * Runs `script` (with `files` beside it, by name) in a fresh directory, so Storage starts empty,
 * as `command ...args run.js` with a FIFO nobody writes for stdin; `read` takes what it needs from
 * the directory before it goes. Throws when the script fails or never reaches its end ('done').
 */
async function inFreshDir<T>(
  command: string,
  args: string[],
  script: string,
  files: Record<string, Uint8Array>,
  read: (dir: string, output: string) => T,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'bushu-device-'));
  try {
    writeFileSync(join(dir, 'run.js'), script);
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    const fifo = join(dir, 'stdin');
    const made = spawnSync('mkfifo', [fifo]);
    if (made.status !== 0) throw new Error('mkfifo failed');
    const stdin = openSync(fifo, 'r+');
    let output = '';
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(command, [...args, 'run.js'], { cwd: dir, stdio: [stdin, 'pipe', 'pipe'] });
      child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr?.on('data', () => {}); // valgrind's own report: the counts are read from its files
      child.on('error', reject);
      child.on('close', resolve);
    });
    closeSync(stdin);
    const problem = output.split('\n').find((l) => /Uncaught|Error|Out of Memory|MEMORY/.test(l));
    if (code !== 0 || problem) throw new Error(`the script failed on Espruino (exit ${code}): ${problem ?? output.slice(-200)}`);
    // A script too large for the variable store runs nothing and says little: insist on its end.
    if (!/^done$/m.test(output)) throw new Error(`the script did not reach its end on Espruino: ${output.slice(-200)}`);
    return read(dir, output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `script` on the interpreter alone, without valgrind (a quick check that it runs through); returns what it printed. */
export function plain(tools: Tools, script: string, files: Record<string, Uint8Array> = {}): Promise<string> {
  return inFreshDir(tools.espruino, [], script, files, (_dir, output) => output);
}

/** Runs `script` under callgrind: the instructions between its marker calls. It must print 'done' last. */
export function callgrind(tools: Tools, script: string, files: Record<string, Uint8Array> = {}): Promise<Run> {
  const args = ['--tool=callgrind', '--separate-threads=yes', `--dump-before=${MARKER_SYMBOL}`, '--callgrind-out-file=cg.out', tools.espruino];
  return inFreshDir(tools.valgrind, args, script, files, (dir, output) => {
    // Dump k (k >= 1) holds what ran before marker call k; the main thread is thread 1.
    const dumps = readdirSync(dir)
      .map((f) => /^cg\.out\.(\d+)-01$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const intervals = dumps.slice(1).map((k) => total(join(dir, `cg.out.${k}-01`)));
    return { intervals, output };
  });
}
