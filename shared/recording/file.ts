// Node-only: reading recordings from disk. The parser itself (csv.ts) stays platform-free.
import { readFile } from 'node:fs/promises';
import { parseRecordingCsv } from './csv.ts';
import type { Recording } from './recording.ts';

/** A file that could not be read at all (missing, a directory, no permission...). */
export class FileReadError extends Error {
  readonly path: string;

  constructor(path: string, reason: string) {
    super(`cannot read ${path}: ${reason}`);
    this.name = 'FileReadError';
    this.path = path;
  }
}

/** Read a whole text file, turning fs errors into a FileReadError with a short reason. */
export async function readTextFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new FileReadError(path, describeFsError(e));
  }
}

/** Read and parse a recording CSV. Throws FileReadError or RecordingError (naming the line). */
export async function readRecordingFile(path: string): Promise<Recording> {
  return parseRecordingCsv(await readTextFile(path), path);
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a parent of it is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}
