// Wires the always-running half of the core for one board: history file, counter, Today, the
// one-minute tick and the midnight timer. The other half (BLE requests, signing, compaction:
// ext.ts) is loaded on first need, through `load`: on the Bangle from its own Storage file, so
// the boot code that runs at every app switch stays small; on the Puck it is bundled.

import { msUntilNextLocalMidnight } from '../../shared/days.ts';
import { encodeToday, encodeWeChatSteps, encodeWeChatTarget } from '../../shared/protocol/index.ts';
import { GOAL_STEPS } from '../../shared/rewards.ts';
import { Counter } from './counter.ts';
import type { Ext } from './ext.ts';
import type { Pedometer } from '../../shared/pedometer/pedometer.ts';
import { History } from './history.ts';
import { Char, GOAL_FILE, u32, type Platform } from './platform.ts';

export const TICK_MS = 60000;
/** Checkpoint every 5 ticks: at most 5 minutes of steps are lost on a sudden power cut. */
export const CHECKPOINT_TICKS = 5;

export class Bushu {
  readonly p: Platform;
  readonly h: History;
  readonly c: Counter;
  readonly hardware: number;
  readonly deviceId: string;
  /** The board's pedometer, held here so that its state is visible (REPL, memory estimates). */
  ped: Pedometer | undefined;
  private ext: Ext | undefined;
  private readonly load: (b: Bushu) => Ext;
  private ticks = 0;
  private notified = -1;
  private midnightGen = 0;

  constructor(p: Platform, hardware: number, deviceId: string, load: (b: Bushu) => Ext) {
    this.p = p;
    this.hardware = hardware;
    this.deviceId = deviceId;
    this.load = load;
    this.h = new History(p);
    this.h.full = () => this.x().compact();
    this.h.open();
    const g = p.map(GOAL_FILE);
    this.c = new Counter(p, this.h, g !== undefined && g.length === 4 ? u32(g, 0) : GOAL_STEPS);
    this.c.closer = () => this.x().close();
    this.c.start();
    this.h.release();
  }

  /** The on-demand half, loaded once. */
  x(): Ext {
    if (this.ext === undefined) {
      this.ext = this.load(this);
      this.ext.info();
    }
    return this.ext;
  }

  /** Publishes the first values and starts the midnight timer. */
  run(): void {
    this.p.update(Char.WECHAT_TARGET, encodeWeChatTarget(this.c.goal), false);
    this.today(false);
    this.armMidnight();
  }

  todayFrame(): Uint8Array {
    const c = this.c;
    return encodeToday({ day: c.day, offsetMin: c.offset, steps: c.steps, seq: this.h.seq });
  }

  /** Today and WeChat FEA1: new read values, and notifications when `notify`. */
  today(notify: boolean): void {
    this.p.update(Char.TODAY, this.todayFrame(), notify);
    this.p.update(Char.WECHAT_STEPS, encodeWeChatSteps(this.c.steps), notify);
  }

  /** Every minute: catch up with the clock, checkpoint every fifth time, notify Today if changed. */
  tick(): void {
    this.c.sync(this.p.now());
    if (++this.ticks >= CHECKPOINT_TICKS) {
      this.ticks = 0;
      this.c.checkpoint();
    }
    this.h.release();
    const mark = this.c.steps + this.c.day * 100000 + this.h.seq;
    if (mark !== this.notified) {
      this.notified = mark;
      this.today(true);
    }
  }

  /** A timer just after the next local midnight closes the day even when no sample arrives. */
  armMidnight(): void {
    const gen = ++this.midnightGen;
    this.p.later(() => {
      if (gen !== this.midnightGen) return; // re-armed since: the clock or the offset moved
      this.tick();
      this.armMidnight();
    }, msUntilNextLocalMidnight(this.p.now(), this.p.offsetMin()) + 10);
  }

  /** App switch, load() or power down announced: save the open day now. */
  kill(): void {
    this.c.checkpoint();
  }
}
