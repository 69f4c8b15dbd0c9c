import { countSteps } from '../shared/pedometer/count.ts';
import { RecordingError } from '../shared/recording/csv.ts';
import { FileReadError, readRecordingFile } from '../shared/recording/file.ts';

/** Where a command writes; process.stdout/stderr fit, and tests pass string collectors. */
export interface Output {
  write(text: string): unknown;
}

/**
 * Count the steps of each recording and print CSV `file,steps`, one row per readable file.
 * A file that cannot be read or parsed is reported on `err` and skipped, so one bad file
 * does not hide the counts of the others; the exit code (1) still says something failed.
 */
export async function runCount(files: string[], out: Output, err: Output): Promise<number> {
  let exitCode = 0;
  out.write('file,steps\n');
  for (const file of files) {
    try {
      const rec = await readRecordingFile(file);
      out.write(`${csvField(file)},${countSteps(rec)}\n`);
    } catch (e) {
      // Only input problems are reported tersely; anything else is a bug and keeps its stack trace.
      if (!(e instanceof RecordingError || e instanceof FileReadError)) throw e;
      err.write(`bushu: ${e.message}\n`);
      exitCode = 1;
    }
  }
  return exitCode;
}

/** Quote a CSV field when needed, so a file name with a comma cannot shift the columns. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
