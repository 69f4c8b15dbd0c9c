// Finding the sets under a root folder, for a run without folders on the command line: the shared
// data keeps its main set at the root and other sets (body/) in subfolders of it.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileReadError } from '../../shared/recording/file.ts';

/**
 * Every set under root: root itself and each subfolder at any depth that has a truth.csv, root
 * first, then depth-first in name order so the report's order does not depend on the disk.
 * Folders without a truth.csv (bangle/, oxford/: recordings listed by the parent's truth.csv) are
 * not sets but are still searched. Hidden folders and symbolic links are not followed.
 * Throws FileReadError when root is not a readable folder or no set is found.
 */
export async function findSets(root: string): Promise<string[]> {
  const sets: string[] = [];
  await collectSets(root, sets);
  if (sets.length === 0) throw new FileReadError(join(root, 'truth.csv'), 'no such file, nor in any subfolder');
  return sets;
}

async function collectSets(dir: string, sets: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new FileReadError(dir, describeDirError(e));
  }
  if (entries.some((entry) => entry.isFile() && entry.name === 'truth.csv')) sets.push(dir);
  const folders = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  for (const name of folders) await collectSets(join(dir, name), sets);
}

/** The same short reasons as a missing set folder given on the command line. */
function describeDirError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such directory';
  if (code === 'ENOTDIR') return 'not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (e as Error).message;
}
