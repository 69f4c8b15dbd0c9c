// The on-demand half of the core: the BLE request handler, the signer, closing a day,
// compaction, Info and the app's list of recent days. Loaded by Bushu.x() on the first BLE
// write or connection, at midnight, when the history file is full, or by the app.

import { encodeInfo } from '../../shared/protocol/index.ts';
import { addDay, compact, MAX_DAYS } from './archive.ts';
import type { Bushu } from './bushu.ts';
import { Char, u16, u32 } from './platform.ts';
import { DAY_BYTES, T_DAY } from './records.ts';
import { Service } from './service.ts';
import { Signer } from './signer.ts';

export const VERSION = [0, 1, 0];

export class Ext {
  readonly s: Signer;
  readonly svc: Service;
  private readonly b: Bushu;

  constructor(b: Bushu) {
    this.b = b;
    this.s = new Signer(b.p, b.deviceId);
    this.svc = new Service(b, this);
  }

  compact(): boolean {
    return compact(this.b.h);
  }

  /** Stores the open day as closed, signed when a key is set (the counter grows per signature). */
  close(): void {
    const c = this.b.c;
    const h = this.b.h;
    const counter = h.counter + 1;
    const tag = this.s.sign(c.day, c.offset, c.steps, counter);
    addDay(h, c.day, c.offset, c.steps, ~c.moved & 0xffffff, c.hours, tag === undefined ? 0 : counter, tag);
  }

  infoFrame(): Uint8Array {
    const b = this.b;
    return encodeInfo({ hardware: b.hardware, firmware: VERSION, deviceId: b.deviceId, keySet: this.s.key !== undefined, capacityDays: MAX_DAYS });
  }

  info(): void {
    this.b.p.update(Char.INFO, this.infoFrame(), false);
  }

  /** Only from the watch itself (the app's button, the Puck's long press). */
  resetKey(): void {
    this.s.reset();
    this.info();
  }

  /** The newest `n` closed days as [day, steps] pairs, newest first (for the app). */
  recent(n: number): number[][] {
    const h = this.b.h;
    const out: number[][] = [];
    for (let at = h.next(0, T_DAY); at >= 0; at = h.next(at + DAY_BYTES, T_DAY)) {
      const f = h.file();
      out.unshift([u16(f, at + 2), u32(f, at + 12)]);
      if (out.length > n) out.pop();
    }
    h.release();
    return out;
  }
}
