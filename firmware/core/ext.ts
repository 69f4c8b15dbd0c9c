// The on-demand half of the core: the BLE request handler, the signer, closing a day,
// compaction and Info (and the Bangle app's list of recent days, which only the
// Bangle's build adds). Loaded by the core's x() on the first BLE connection or write, at
// midnight, when the history file is full, or by the app.

import { encodeInfo } from '../../shared/protocol/index.ts';
import type { Nrf } from '../espruino.ts';
import { addDay, compact, MAX_DAYS } from './archive.ts';
import type { Core } from './bushu.ts';
import type { History } from './history.ts';
import { Char, update } from './gatt.ts';
import { u16, u32, DayAt, DAY_BYTES, T_DAY } from './records.ts';
import { service, type Service } from './service.ts';
import { signer, type Signer } from './signer.ts';
import { VERSION } from './version.ts';

declare const NRF: Nrf;

export interface Ext {
  readonly signer: Signer;
  bleService: Service;
  /** Stores the open day as closed, signed when a key is set (the counter grows per signature). */
  close(): void;
  compact(): boolean;
  /** Publishes Info and the WeChat address (at every connection, and when the key changes). */
  info(): void;
  /** Only from the watch itself (the app's button, the Puck's long press). */
  resetKey(): void;
  /** The Bangle app's list of recent days (recentDays), added by firmware/bangle/ext.ts: the Puck has no use for it. */
  recent?(n: number): number[][];
}

export function ext(b: Core): Ext {
  const h = b.historyFile;
  // The device id is the BLE address, "aa:bb:cc:dd:ee:ff public", as its 6 bytes.
  const id = new Uint8Array(NRF.getAddress().split(' ')[0].split(':').map((hex) => parseInt(hex, 16)));
  const x = {
    signer: signer(id, h),
    close: () => {
      addDay(b, h.summaryCounter + 1, x.signer);
    },
    compact: () => compact(b),
    info: () => {
      update(Char.INFO, encodeInfo(b.hardware, VERSION, id, !!x.signer.key, MAX_DAYS, h.epoch), false);
      // WeChat's FEC9 is the device id's bytes (encodeWeChatAddress).
      update(Char.WECHAT_ADDRESS, id, false);
    },
    resetKey: () => {
      x.signer.reset();
      x.info();
    },
  } as Ext;
  x.bleService = service(b, x);
  return x;
}

/** The newest `n` closed days as [day, steps] pairs, newest first. */
export function recentDays(h: History, n: number): number[][] {
  const out: number[][] = [];
  for (let at = h.next(0, T_DAY); at >= 0; at = h.next(at + DAY_BYTES, T_DAY)) {
    const f = h.file();
    out.unshift([u16(f, at + DayAt.DAY), u32(f, at + DayAt.STEPS)]);
    if (out.length > n) out.pop();
  }
  h.mapped = undefined;
  return out;
}
