// Where the counter profiles keep their per-device CounterState between syncs: a small JSON
// file in the data directory (the SQLite store belongs to the store module; a kv table there
// would be the better home later). Written to a temporary file and renamed, so a crash leaves
// the old or the new state, never half of one. It is saved after the store commit: if the
// bridge dies between the two, the next reading recomputes the same totals from the old state.

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { EMPTY_COUNTER, type CounterState } from './cumulative.ts';

export interface CounterStateStore {
  get(device: string): CounterState;
  set(device: string, state: CounterState): void;
}

export class MemoryCounterState implements CounterStateStore {
  private m = new Map<string, CounterState>();
  get(device: string): CounterState {
    return this.m.get(device) ?? EMPTY_COUNTER;
  }
  set(device: string, state: CounterState): void {
    this.m.set(device, state);
  }
}

export class FileCounterState implements CounterStateStore {
  private m: Record<string, CounterState> = {};

  constructor(private path: string) {
    try {
      this.m = JSON.parse(readFileSync(path, 'utf8')) as Record<string, CounterState>;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${path}: unreadable counter state (${(e as Error).message}); delete it to start over`);
    }
  }
  get(device: string): CounterState {
    return this.m[device] ?? EMPTY_COUNTER;
  }
  set(device: string, state: CounterState): void {
    this.m[device] = state;
    writeFileSync(this.path + '.tmp', JSON.stringify(this.m));
    renameSync(this.path + '.tmp', this.path);
  }
}
