// bushu.ext.js: the on-demand half of the core (BLE requests, signing, compaction), evaluated by
// the boot code the first time it is needed, so the code run at every app switch stays small.
// It only publishes a factory; the boot code passes it the running core.

import { ext } from '../core/ext.ts';

declare const global: any;

global.bushuExt = ext;
