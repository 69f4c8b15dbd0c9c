// The demo's data directory: created when missing, and checked writable up front, so a bad
// --data gives one clear line instead of a SQLite error from deep inside a service.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export class DemoError extends Error {}

export interface DataPaths {
  dir: string;
  services: string; // SQLite of the reward and social services
  bridge: string; // the bridge's store: bushu.db, where `bushu status` and the other commands look by default
}

export function prepareDataDir(dir: string): DataPaths {
  const abs = resolve(dir);
  try {
    mkdirSync(abs, { recursive: true });
  } catch (e) {
    throw new DemoError(`cannot create data directory ${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!statSync(abs).isDirectory()) throw new DemoError(`data directory ${abs} is not a directory`);
  try {
    accessSync(abs, constants.W_OK | constants.X_OK);
  } catch {
    throw new DemoError(`data directory ${abs} is not writable`);
  }
  return { dir: abs, services: join(abs, 'services.db'), bridge: join(abs, 'bushu.db') };
}
