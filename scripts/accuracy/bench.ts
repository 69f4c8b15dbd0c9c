// The accuracy benchmark: count every recording listed in DIR/truth.csv and compare with the truth.
// Exit codes: 0 report printed (targets are reported, not enforced, unless --check), 1 --check and
// a target failed, 2 the benchmark could not run (bad arguments, missing or malformed input).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { countSteps } from '../../shared/pedometer/count.ts';
import { RecordingError } from '../../shared/recording/csv.ts';
import { FileReadError, readRecordingFile, readTextFile } from '../../shared/recording/file.ts';
import { anyFailed, fileResult, recordingHours, subsetFigures, type FileResult } from './figures.ts';
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

const USAGE = 'usage: bench-accuracy [DIR] [--json] [--check]';

/** Parse command-line arguments (without node and script) and run; returns the exit code. */
export async function benchCli(args: string[], defaultDir: string, out: Output, err: Output): Promise<number> {
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
    out.write(`${USAGE}\nDIR defaults to ${defaultDir}\n`);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    err.write(`bench-accuracy: expected at most one directory, got ${parsed.positionals.length}\n${USAGE}\n`);
    return 2;
  }
  const dir = parsed.positionals[0] ?? defaultDir;
  return runBench(dir, { json: !!parsed.values.json, check: !!parsed.values.check }, out, err);
}

/** What the missing folder is, for someone who has only the clone. */
const DATA_HINT =
  'bench-accuracy: it needs accelerometer recordings with hand-counted steps: a folder of recording CSVs (Time (ms),X,Y,Z) and a truth.csv\n' +
  '  listing file,steps,kind (the project keeps its real recordings outside the repository, in ../shared/data/steps beside the clone);\n' +
  '  pass such a folder as the argument: npm run bench:accuracy -- DIR\n';

export async function runBench(dir: string, options: BenchOptions, out: Output, err: Output): Promise<number> {
  let results: FileResult[];
  try {
    results = await countAll(dir, err);
  } catch (e) {
    // Input problems get one line naming file and line; anything else is a bug and keeps its stack.
    if (e instanceof RecordingError || e instanceof FileReadError) {
      err.write(`bench-accuracy: ${e.message}\n`);
      if (e instanceof FileReadError && e.message.includes('no such directory')) err.write(DATA_HINT);
      return 2;
    }
    throw e;
  }
  const subsets = subsetFigures(results, setReference(setName(dir)));
  out.write(options.json ? `${JSON.stringify({ files: results, subsets }, null, 2)}\n` : formatReport(results, subsets));
  return options.check && anyFailed(subsets) ? 1 : 0;
}

async function countAll(dir: string, progress: Output): Promise<FileResult[]> {
  await checkDirectory(dir);
  const truthPath = join(dir, 'truth.csv');
  const entries = parseTruthCsv(await readTextFile(truthPath), truthPath);
  const results: FileResult[] = [];
  for (const entry of entries) {
    // Long recordings take a while with a real detector: say what is happening.
    progress.write(`counting ${entry.file}...\n`);
    const rec = await readRecordingFile(join(dir, entry.file));
    results.push(fileResult(entry.file, entry.kind, entry.steps, countSteps(rec), recordingHours(rec.t)));
  }
  return results;
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
