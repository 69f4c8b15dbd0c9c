// Start-up shared by both boards: the core, the pedometer with Espruino's native correlation,
// the slow timers and the save on 'kill'. The per-sample handlers stay in the board files,
// because the two boards deliver samples differently and that path must stay minimal.

import { deviceIdFromAddress } from '../../shared/protocol/index.ts';
import { Pedometer } from '../../shared/pedometer/pedometer.ts';
import { Bushu, TICK_MS } from '../core/bushu.ts';
import type { Ext } from '../core/ext.ts';
import type { EspruinoE, Nrf } from '../espruino.ts';
import { BATTERY_CHAR, espruinoPlatform } from './platform.ts';

declare const E: EspruinoE;
declare const NRF: Nrf;
declare const global: any;

/**
 * Polls slower than this are the Bangle's power-save mode (800 ms) or lost samples: the gap is
 * passed on as over a second, so the pedometer restarts instead of interpolating a rhythm it
 * cannot see. Ordinary dropped polls (160-320 ms) are still interpolated.
 */
export const MAX_POLL_MS = 400;

export function startBushu(hardware: number, battery: () => number, load: (b: Bushu) => Ext): Bushu {
  const p = espruinoPlatform();
  const core = new Bushu(p, hardware, deviceIdFromAddress(NRF.getAddress()), load);
  // Published for the widget, the app and the REPL (and so the simulator's memory estimate sees it).
  global.bushu = core;
  setInterval(() => {
    core.tick();
    p.update(BATTERY_CHAR, new Uint8Array([battery()]), false);
  }, TICK_MS);
  E.on('kill', () => core.kill());
  // A central is about to read Info: load the on-demand half now, which fills it in.
  NRF.on('connect', () => core.x());
  // After the boot code: on Bangle.js the services are registered only once every boot file ran.
  setTimeout(() => core.run(), 10);
  return core;
}

/** Pedometer with E.convolve for its correlation loop: its buffer is zero-padded, so the circular sum is the linear one. */
export function devicePedometer(): Pedometer {
  return new Pedometer((buf, _n, lag) => E.convolve(buf, buf, lag));
}
