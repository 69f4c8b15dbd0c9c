// The simulated watches' flash, kept in DATA/watches/<device>.json between runs: a watch's
// Storage is its whole persistent self (history, seq, signed-summary counter, key, open-day
// checkpoints), so a later run continues the same watches instead of factory-new ones.
// SimStorage has no serializer; its public list/readBytes/write are enough for plain files.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimStorage } from '../sim/espruino/index.ts';
import type { Board } from './roster.ts';
import { DemoError } from './data-dir.ts';

/** Flash sizes EspruinoSim gives each board by default. */
export const FLASH_BYTES: Record<Board, number> = { BANGLEJS2: 8 * 1024 * 1024, PUCKJS2: 40 * 1024 };

interface SavedWatch {
  version: 1;
  device: string;
  board: Board;
  savedAt: number; // world UTC ms
  files: Array<[string, string]>; // name, base64, in flash order
}

function path(dir: string, device: string): string {
  return join(dir, 'watches', device + '.json');
}

export function saveWatch(dir: string, device: string, board: Board, storage: SimStorage, savedAt: number): void {
  // StorageFile chunks would need their chunk byte names; the firmware writes plain files only.
  if (storage.list(undefined, { sf: true }).length > 0) throw new Error(`watch ${device}: StorageFile files cannot be saved by the demo`);
  const files = storage.list().map((name): [string, string] => [name, Buffer.from(storage.readBytes(name)!).toString('base64')]);
  const saved: SavedWatch = { version: 1, device, board, savedAt, files };
  mkdirSync(join(dir, 'watches'), { recursive: true });
  const p = path(dir, device);
  writeFileSync(p + '.tmp', JSON.stringify(saved));
  renameSync(p + '.tmp', p);
}

/** The saved flash of a watch, or undefined when this data directory has none yet. */
export function loadWatch(dir: string, device: string, board: Board): { storage: SimStorage; savedAt: number } | undefined {
  const p = path(dir, device);
  if (!existsSync(p)) return undefined;
  let saved: SavedWatch;
  try {
    saved = JSON.parse(readFileSync(p, 'utf8')) as SavedWatch;
  } catch (e) {
    throw new DemoError(`${p}: not valid JSON (${(e as Error).message}); delete the data directory to start over`);
  }
  if (saved.version !== 1 || saved.device !== device || saved.board !== board || !Array.isArray(saved.files)) {
    throw new DemoError(`${p}: not a saved ${board} ${device}; delete the data directory to start over`);
  }
  const storage = new SimStorage({ bytes: FLASH_BYTES[board] });
  for (const [name, b64] of saved.files) storage.write(name, Buffer.from(b64, 'base64'));
  return { storage, savedAt: saved.savedAt };
}
