// The demo's four watches: continued from their saved flash when this data directory has it,
// otherwise new (flashed with the firmware and their key), and saved back at each checkpoint.
import type { FirmwareFiles } from '../sim/wearables/simulated-wearable.ts';
import { DemoError } from './data-dir.ts';
import { deviceKeyHex } from './keys.ts';
import type { DemoDevice } from './roster.ts';
import { DemoWatch } from './watch.ts';
import { loadWatch, saveWatch } from './watch-storage.ts';

export interface FleetOptions {
  dir: string;
  devices: readonly DemoDevice[];
  seed: number;
  offsetMin: number;
  firmware: FirmwareFiles;
  /** World time the watches start at: the last checkpoint, or the start of the week. */
  startAt: number;
  /** True when demo.json says watches were saved (then every one must be there). */
  resumed: boolean;
}

export function openFleet(o: FleetOptions): Map<string, DemoWatch> {
  const watches = new Map<string, DemoWatch>();
  for (const d of o.devices) {
    const saved = loadWatch(o.dir, d.id, d.board);
    if (saved !== undefined && saved.savedAt !== o.startAt) {
      throw new DemoError(`${o.dir}: watch ${d.id} was saved at another time than demo.json says (an interrupted save?); delete the directory to start over`);
    }
    if (saved === undefined && o.resumed) throw new DemoError(`${o.dir}: watch ${d.id} is missing from watches/; delete the directory to start over`);
    watches.set(d.id, new DemoWatch({ device: d, startUtcMs: o.startAt, offsetMin: o.offsetMin, keyHex: deviceKeyHex(o.seed, d.id), firmware: o.firmware, storage: saved?.storage }));
  }
  return watches;
}

export function saveFleet(dir: string, watches: Map<string, DemoWatch>, at: number): void {
  for (const w of watches.values()) saveWatch(dir, w.o.device.id, w.o.device.board, w.sim.storage, at);
}
