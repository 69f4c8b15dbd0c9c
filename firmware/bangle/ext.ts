// bushu.ext.js: the on-demand half of the core (BLE requests, signing, compaction), evaluated by
// the boot code the first time it is needed, so the code run at every app switch stays small.
// It only publishes a factory; the boot code passes it the running core.

import type { Core } from '../core/bushu.ts';
import { ext, recentDays } from '../core/ext.ts';

declare const global: any;

// With the app's list of recent days, which only the Bangle has a screen for.
const bangleExt: typeof ext = (b: Core) => {
  const x = ext(b);
  x.recent = (n) => recentDays(b.historyFile, n);
  return x;
};
global.bushuExt = bangleExt;
