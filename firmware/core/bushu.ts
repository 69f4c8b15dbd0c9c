// The always-running half of the core for one Espruino board: history file (found, recovered
// and scanned), counter, Today, the tick (every minute, and just after each local hour, so also
// at midnight) and the save on 'kill'. The other half (BLE requests, signing, closing a day,
// compaction: ext.ts) is loaded on first need, through
// `load`: on the Bangle from its own Storage file, so the boot code that runs at every app
// switch stays small; on the Puck it is bundled. The per-sample handlers stay in the board
// files, because the two boards deliver samples differently and that path must stay minimal.

import { Pedometer } from '../../shared/pedometer/pedometer.ts';
import { encodeToday, encodeWeChatSteps } from '../../shared/protocol/index.ts';
import { GOAL_STEPS } from '../../shared/rewards.ts';
import type { EspruinoE, Nrf } from '../espruino.ts';
import { damaged, recover } from './archive.ts';
import { counter, type Counter } from './counter.ts';
import type { Ext } from './ext.ts';
import { Char, update } from './gatt.ts';
import { history, scan, type History } from './history.ts';
import { read, GOAL_FILE } from './io.ts';
import { nativeLoops } from './loops.ts';
import { u32 } from './records.ts';

declare const E: EspruinoE;
declare const NRF: Nrf;
declare const global: any;

export const TICK_MS = 60000;
/** Checkpoint every 5 ticks: at most 5 minutes of steps are lost on a sudden power cut. */
export const CHECKPOINT_TICKS = 5;

/**
 * Polls slower than this are the Bangle's power-save mode (800 ms) or lost samples: the gap is
 * passed on as over a second, so the pedometer restarts instead of interpolating a rhythm it
 * cannot see. Ordinary dropped polls (160-320 ms) are still interpolated.
 */
export const MAX_POLL_MS = 400;

/** The running core, published as `global.bushu` for the widget, the app, the REPL and tests. */
export interface Core {
  readonly hardware: number;
  readonly historyFile: History;
  readonly counter: Counter;
  /** The board's pedometer, held here so that its state is visible (REPL, memory estimates). */
  pedometer: Pedometer;
  /** The on-demand half, loaded once. */
  onDemand(): Ext;
  todayFrame(): Uint8Array;
  /** Today and WeChat FEA1: new read values, and notifications when `notify`. */
  today(notify: boolean): void;
  /**
   * (Re-)arms the tick: a minute away, or just after the current local hour ends when that is
   * sooner, so midnight closes the day on time even when no sample arrives. Called after every
   * sync that may have moved the hour (the boot, a clock or zone written over BLE).
   */
  armMidnight(): void;
}

/**
 * scale: the unit of the board's accelerometer samples in 1/1024 g (see Pedometer's constructor):
 * left out for raw counts (the Puck), 1024 for g (the Bangle).
 */
export function startBushu(hardware: number, battery: () => number, load: (b: Core) => Ext, scale?: number): Core {
  let ext: Ext | undefined;
  let ticks = 0;
  let notified = -1;
  let timers = 0; // the tick's timer generation: a re-armed tick drops the pending one
  const h = history(() => b.onDemand().compact());
  const g = read(GOAL_FILE);
  // A short file reads NaN, which falls back to the default like a missing one.
  const c = counter(h, (g && u32(g, 0)) || GOAL_STEPS, () => b.onDemand().close());

  /** Every minute (and just after each local hour ends): catch up with the clock, checkpoint
   * every fifth time, notify Today if changed, refresh the battery level. */
  const tick = () => {
    c.sync(Date.now());
    if (++ticks >= CHECKPOINT_TICKS) {
      ticks = 0;
      c.checkpoint();
    }
    h.mapped = undefined; // on Espruino a view of flash costs nothing, in a simulator it is a copy
    const mark = c.steps + c.day * 100000 + h.seq;
    if (mark !== notified) {
      notified = mark;
      b.today(true);
    }
    update(Char.BATTERY, [battery()], false);
    b.armMidnight();
  };

  const b: Core = {
    hardware: hardware,
    historyFile: h,
    counter: c,
    // Pedometer on Espruino's C loops (loops.ts).
    pedometer: new Pedometer(nativeLoops(E), scale),
    onDemand: () => ext || (ext = load(b)),
    todayFrame: () => encodeToday(c.day, c.offset, c.steps, h.seq),
    today: (notify) => {
      update(Char.TODAY, b.todayFrame(), notify);
      update(Char.WECHAT_STEPS, encodeWeChatSteps(c.steps), notify);
    },
    armMidnight: () => {
      const gen = ++timers;
      setTimeout(() => gen === timers && tick(), Math.min(TICK_MS, c.end - Date.now() + 10));
    },
  };
  global.bushu = b;

  // Picks the live file (in the usual boot the only one, and nothing to do), then reads it.
  recover(h);
  scan(h, c);
  if (h.bad) damaged(h);
  c.sync(Date.now());
  h.mapped = undefined;

  // App switch, load() or power down announced: save the open day now.
  E.on('kill', c.checkpoint);
  // A central is about to read Info and the WeChat address: the on-demand half fills them in.
  NRF.on('connect', () => b.onDemand().info());
  // Today, FEA1 and FEA2 need no update here: the GATT table the board builds next holds their
  // values, and while a central stays connected across load() no update reaches it anyway.
  b.armMidnight();
  return b;
}
