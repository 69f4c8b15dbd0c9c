// What goes into Storage: the list of (Storage name, source file) pairs for a target, read from a
// built firmware directory. Bangle follows the App Loader's own list (metadata.json `storage`), so
// the watch ends up exactly as if installed from the App Loader; the Puck bundle becomes `.bootcde`,
// the file Espruino runs at power-on.
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Target } from './options.ts';

export interface StorageFile {
  /** Storage file name on the device (at most 28 characters). */
  name: string;
  /** Absolute path of the bytes to write; undefined for generated files (the key's 32 bytes). */
  source: string | undefined;
  size: number;
}

export class PlanError extends Error {}

const MAX_STORAGE_NAME = 28;
export const KEY_FILE = 'bushu.key';

function checkName(name: unknown, where: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_STORAGE_NAME) {
    throw new PlanError(`${where}: Storage name ${JSON.stringify(name)} must be 1-${MAX_STORAGE_NAME} characters`);
  }
  // The espruino CLI splits `--storage NAME:FILE` at the first colon.
  if (name.includes(':')) throw new PlanError(`${where}: Storage name ${JSON.stringify(name)} must not contain ':'`);
  return name;
}

async function sourceFile(path: string, name: string): Promise<StorageFile> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new PlanError(`${path} is not a file`);
    size = s.size;
  } catch (e) {
    if (e instanceof PlanError) throw e;
    throw new PlanError(`missing firmware file ${path} (for Storage ${JSON.stringify(name)}): run the build, or check --dist`);
  }
  // EspruinoTools writes nothing at all for an empty file, so the device would keep an old copy.
  if (size === 0) throw new PlanError(`${path} is empty: refusing to write an empty ${JSON.stringify(name)}`);
  if (path.includes(':')) throw new PlanError(`${path}: the espruino CLI cannot take a path containing ':'`);
  return { name, source: path, size };
}

async function bangleFiles(dir: string): Promise<StorageFile[]> {
  const metaPath = join(dir, 'metadata.json');
  let meta: unknown;
  try {
    meta = JSON.parse(await readFile(metaPath, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message;
    throw new PlanError(`${metaPath}: ${why}`);
  }
  const storage = (meta as { storage?: unknown }).storage;
  if (!Array.isArray(storage) || storage.length === 0) {
    throw new PlanError(`${metaPath}: expected a non-empty "storage": [{"name", "url"}] list`);
  }
  const files: StorageFile[] = [];
  for (const [i, entry] of storage.entries()) {
    const where = `${metaPath} storage[${i}]`;
    const { name, url } = (entry ?? {}) as { name?: unknown; url?: unknown };
    // Entries without a url (App Loader settings files created on the watch) have nothing to upload.
    if (url === undefined && typeof name === 'string' && name.endsWith('.json')) continue;
    if (typeof url !== 'string' || url === '' || url.includes('..') || url.startsWith('/')) {
      throw new PlanError(`${where}: "url" must be a file name inside ${dir}`);
    }
    files.push(await sourceFile(join(dir, url), checkName(name, where)));
  }
  // The App Loader writes <id>.info itself (and refuses an app that lists one); the build leaves
  // one beside metadata.json, which the flasher writes the same way, so the launcher lists the app.
  const id = (meta as { id?: unknown }).id;
  if (typeof id === 'string' && id !== '') {
    const info = join(dir, id + '.info');
    const exists = await stat(info).then((s) => s.isFile(), () => false);
    if (exists) files.push(await sourceFile(info, checkName(id + '.info', metaPath)));
  }
  return files;
}

/** Lists the Storage files for `target` from `dist` (the directory holding bangle/ and puck/). */
export async function planStorage(target: Target, dist: string, key: Uint8Array | undefined): Promise<StorageFile[]> {
  const dir = resolve(dist, target);
  const files = target === 'bangle'
    ? await bangleFiles(dir)
    : [await sourceFile(join(dir, 'bushu.js'), '.bootcde')];
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.name)) throw new PlanError(`Storage name ${JSON.stringify(f.name)} is listed twice`);
    names.add(f.name);
  }
  if (key !== undefined) {
    if (names.has(KEY_FILE)) throw new PlanError(`the firmware itself lists ${KEY_FILE}; it must come only from --key`);
    files.push({ name: KEY_FILE, source: undefined, size: key.length });
  }
  return files;
}
