// The on-demand half of the core: the BLE request handler, the signer, closing a day,
// compaction, file recovery, Info and the app's list of recent days. Loaded by the core's x() on
// the first BLE connection or write, at midnight, when the history file is full or damaged at
// boot, or by the app.

import { deviceIdFromAddress, encodeInfo, encodeWeChatAddress } from '../../shared/protocol/index.ts';
import type { Nrf } from '../espruino.ts';
import { addDay, compact, damaged, recover, MAX_DAYS } from './archive.ts';
import type { Core } from './bushu.ts';
import { Char, update } from './gatt.ts';
import { u16, u32, DAY_BYTES, T_DAY } from './records.ts';
import { service, type Service } from './service.ts';
import { signer, type Signer } from './signer.ts';

declare const NRF: Nrf;

export const VERSION = [0, 1, 0];

export interface Ext {
  readonly s: Signer;
  svc: Service;
  /** Stores the open day as closed, signed when a key is set (the counter grows per signature). */
  close(): void;
  compact(): boolean;
  /** The boot did not find exactly one history file of the right size. */
  recover(): void;
  /** The boot found damage after the last state record. */
  damaged(): void;
  /** Publishes Info and the WeChat address (at every connection, and when the key changes). */
  info(): void;
  /** Only from the watch itself (the app's button, the Puck's long press). */
  resetKey(): void;
  /** The newest `n` closed days as [day, steps] pairs, newest first (for the app). */
  recent(n: number): number[][];
}

export function ext(b: Core): Ext {
  const h = b.h;
  const deviceId = deviceIdFromAddress(NRF.getAddress());
  const x = {
    s: signer(deviceId),
    close: () => {
      const c = b.c;
      const counter = h.counter + 1;
      addDay(b, counter, x.s.sign(c.day, c.offset, c.steps, counter));
    },
    compact: () => compact(b),
    recover: () => recover(h),
    damaged: () => damaged(h),
    info: () => {
      update(Char.INFO, encodeInfo({ hardware: b.hardware, firmware: VERSION, deviceId: deviceId, keySet: x.s.key !== undefined, capacityDays: MAX_DAYS }), false);
      update(Char.WECHAT_ADDRESS, encodeWeChatAddress(deviceId), false);
    },
    resetKey: () => {
      x.s.reset();
      x.info();
    },
    recent: (n) => {
      const out: number[][] = [];
      for (let at = h.next(0, T_DAY); at >= 0; at = h.next(at + DAY_BYTES, T_DAY)) {
        const f = h.file();
        out.unshift([u16(f, at + 2), u32(f, at + 12)]);
        if (out.length > n) out.pop();
      }
      h.buf = undefined;
      return out;
    },
  } as Ext;
  x.svc = service(b, x);
  return x;
}
