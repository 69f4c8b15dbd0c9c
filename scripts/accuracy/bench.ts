// The accuracy benchmark: for each set (a folder with a truth.csv), count every recording it lists
// and compare with the truth. Exit codes: 0 report printed (targets are reported, not enforced,
// unless --check), 1 --check and a target of some set failed, 2 the benchmark could not run (bad
// arguments, missing or malformed input in any set).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { countSteps } from '../../shared/pedometer/count.ts';
import { RecordingError } from '../../shared/recording/csv.ts';
import { FileReadError, readRecordingFile, readTextFile } from '../../shared/recording/file.ts';
import { findSets } from './discover.ts';
import {
  anyFailed,
  fileResult,
  recordingHours,
  spreadOf,
  START_OFFSETS,
  subsetFigures,
  type Spread,
  worstByFalseStepsPerHour,
  worstByPercentError,
  type FileResult,
  type Kind,
  type Subsets,
} from './figures.ts';
import { formatReport } from './report.ts';
import { setName, setReference } from './sets.ts';
import { parseTruthCsv } from './truth.ts';

export interface Output {
  write(text: string): unknown;
}

export interface BenchOptions {
  json: boolean;
  check: boolean;
}

/** One set's outcome: where it is, what it is called (which picks its reference) and its figures. */
export interface SetReport {
  set: string;
  dir: string;
  files: FileResult[];
  subsets: Subsets;
  /** The worst files by name, worst first (their figures are in files): the report's two rankings. */
  worst: { byPercentError: string[]; byFalseStepsPerHour: string[] };
  /** The subset figures with every recording started later (offsets in samples; see START_OFFSETS). */
  starts: { offsets: readonly number[]; subsets: Record<Kind, Spread | null> };
}

const USAGE = 'usage: bench-accuracy [DIR...] [--json] [--check]';

function help(defaultRoot: string): string {
  return [
    USAGE,
    'Each DIR is a set: a folder with a truth.csv (file,steps,kind,note) and the recordings it lists.',
    `Without DIR, every set under ${defaultRoot}: that folder and each subfolder, at any depth, with a truth.csv.`,
    "A set is known by its folder name: steps (the main set) is shown beside Espruino's figures and held to",
    "its targets; body beside Espruino's lab figure, held to a lab target only. Any other set has no Espruino figures and is held to the",
    "main set's targets. --json prints an array with one entry per set; --check exits 1 if any set misses a target.",
    '',
  ].join('\n');
}

/** Parse command-line arguments (without node and script) and run; returns the exit code. */
export async function benchCli(args: string[], defaultRoot: string, out: Output, err: Output): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    err.write(`bench-accuracy: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    out.write(help(defaultRoot));
    return 0;
  }
  const options = { json: !!parsed.values.json, check: !!parsed.values.check };
  if (parsed.positionals.length > 0) return runBench(parsed.positionals, options, out, err);
  let dirs: string[];
  try {
    dirs = await findSets(defaultRoot);
  } catch (e) {
    return inputError(e, err);
  }
  return runBench(dirs, options, out, err);
}

/** What the missing folder is, for someone who has only the clone. */
const DATA_HINT =
  'bench-accuracy: it needs accelerometer recordings with hand-counted steps: a folder of recording CSVs (Time (ms),X,Y,Z) and a truth.csv\n' +
  '  listing file,steps,kind (the project keeps its real recordings outside the repository, in ../shared/data/steps beside the clone,\n' +
  '  with more sets in subfolders that have their own truth.csv); pass such folders as arguments: npm run bench:accuracy -- DIR...\n';

/** Count and judge every set in dirs; nothing is printed on stdout unless all of them could be read. */
export async function runBench(dirs: readonly string[], options: BenchOptions, out: Output, err: Output): Promise<number> {
  const reports: SetReport[] = [];
  try {
    for (const dir of dirs) {
      const perStart = await countAll(dir, err);
      const files = perStart[0];
      const set = setName(dir);
      const reference = setReference(set);
      const worst = {
        byPercentError: worstByPercentError(files).map((r) => r.file),
        byFalseStepsPerHour: worstByFalseStepsPerHour(files).map((r) => r.file),
      };
      const starts = { offsets: START_OFFSETS, subsets: spreadOf(perStart.map((results) => subsetFigures(results, reference))) };
      reports.push({ set, dir, files, subsets: subsetFigures(files, reference), worst, starts });
    }
  } catch (e) {
    return inputError(e, err);
  }
  out.write(options.json ? `${JSON.stringify(reports, null, 2)}\n` : reports.map(formatSet).join('\n'));
  return options.check && reports.some((report) => anyFailed(report.subsets)) ? 1 : 0;
}

/** Each set under a heading with its path, so two sets' tables are never read as one. */
function formatSet(report: SetReport): string {
  return `== ${report.set}: ${report.dir} ==\n\n${formatReport(report.files, report.subsets, report.starts)}`;
}

/** Input problems get one line naming file and line, exit 2; anything else is a bug and keeps its stack. */
function inputError(e: unknown, err: Output): number {
  if (e instanceof RecordingError || e instanceof FileReadError) {
    err.write(`bench-accuracy: ${e.message}\n`);
    if (e instanceof FileReadError && e.message.includes('no such directory')) err.write(DATA_HINT);
    return 2;
  }
  throw e;
}

/** Every file of a set counted from each start of START_OFFSETS: one list of results per start, in that order. */
async function countAll(dir: string, progress: Output): Promise<FileResult[][]> {
  await checkDirectory(dir);
  const truthPath = join(dir, 'truth.csv');
  const entries = parseTruthCsv(await readTextFile(truthPath), truthPath);
  const perStart: FileResult[][] = START_OFFSETS.map(() => []);
  for (const entry of entries) {
    // Long recordings take a while with a real detector: say what is happening.
    progress.write(`counting ${entry.file}...\n`);
    const rec = await readRecordingFile(join(dir, entry.file));
    START_OFFSETS.forEach((offset, i) => {
      const later = { t: rec.t.slice(offset), x: rec.x.slice(offset), y: rec.y.slice(offset), z: rec.z.slice(offset) };
      perStart[i].push(fileResult(entry.file, entry.kind, entry.steps, countSteps(later), recordingHours(later.t)));
    });
  }
  return perStart;
}

async function checkDirectory(dir: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FileReadError(dir, code === 'ENOENT' ? 'no such directory' : (e as Error).message);
  }
  if (!isDirectory) throw new FileReadError(dir, 'not a directory');
}
