// The GATT table for NRF.setServices (or Bangle.js's shared `bleServices`): the bushu service,
// battery 0x180F and the WeChat profile 0xFEE7, described once as data, from which both the
// table and the value updates are made. maxLen is generous on writable characteristics so that
// a write of the wrong length reaches onWrite and gets a BAD_LENGTH status, instead of being
// refused by the BLE stack with no explanation.

import { encodeStatus, encodeWeChatSteps, encodeWeChatTarget, Length, StatusCode, StatusTarget } from '../../shared/protocol/index.ts';
import type { Core } from './bushu.ts';
import type { Nrf, WriteEvent } from '../espruino.ts';

declare const NRF: Nrf;

/** Advertised so WeChat finds the watch: 16 bits, which fits beside the name. */
export const WECHAT_ADV = 'FEE7';

/** Characteristics by number: the index of their row in GATT. */
export const enum Char {
  TODAY,
  CONTROL,
  HISTORY,
  STATUS,
  INFO,
  CURRENT_TIME,
  LOCAL_TIME_INFO,
  BATTERY,
  WECHAT_STEPS,
  WECHAT_TARGET,
  WECHAT_ADDRESS,
}

/** Properties, as bits of a GATT row. Writable rows say so by naming their Status target. */
const enum P {
  READ = 1,
  NOTIFY = 4,
  INDICATE = 8,
}

/**
 * The bushu service's 128-bit UUIDs (UUID in shared/protocol) differ only in their 8th digit:
 * rows name them by that digit, and everything else by its 16-bit UUID as a number, which
 * Espruino's NRF reads as a short UUID on every version. Only the key passed to NRF is built.
 */
function key(u: number): string | number {
  return u < 16 ? 'b575000' + u + '-7e4e-4b8a-9c2f-5a1d3e6f0b01' : u;
}

/**
 * [service, characteristic (both as key() takes them: UUID.SERVICE is 1, then 0x180F battery,
 * 0xFEE7 WeChat), maxLen, properties, the StatusTarget that answers a write (writable rows
 * only)], in Char order.
 */
const GATT: number[][] = [
  [1, 2, Length.TODAY, P.READ | P.NOTIFY],
  [1, 3, 64, 0, StatusTarget.CONTROL],
  [1, 4, Length.DAY, P.NOTIFY],
  [1, 5, Length.STATUS, P.READ | P.NOTIFY],
  [1, 6, Length.INFO, P.READ],
  [1, 0x2a2b, 32, 0, StatusTarget.CURRENT_TIME],
  [1, 0x2a0f, 32, 0, StatusTarget.LOCAL_TIME_INFO],
  [0x180f, 0x2a19, 1, P.READ | P.NOTIFY],
  [0xfee7, 0xfea1, 4, P.READ | P.INDICATE],
  [0xfee7, 0xfea2, 32, P.READ | P.INDICATE, StatusTarget.WECHAT_TARGET],
  [0xfee7, 0xfec9, Length.DEVICE_ID, P.READ],
];

/**
 * The whole table. Write handlers load the on-demand half of the core; Info and the WeChat
 * address are filled in by it when a central connects, until then they read as zeros.
 */
export function serviceTable(b: Core, battery: number): any {
  const c = b.counter;
  const first: (Uint8Array | number[] | 0)[] = [b.todayFrame(), 0, 0, encodeStatus(StatusTarget.CONTROL, 0, StatusCode.OK), 0, 0, 0, [battery], encodeWeChatSteps(c.steps), encodeWeChatTarget(c.goal)];
  const table: any = {};
  GATT.forEach((g, i) => {
    const s = key(g[0]);
    const svc = table[s] || (table[s] = {});
    const p = g[3];
    const target = g[4];
    // Espruino and the simulator test these flags for truth, so the bits serve as they are.
    svc[key(g[1])] = {
      value: first[i] || new Uint8Array(p & P.READ ? g[2] : 1),
      maxLen: g[2],
      readable: p & P.READ,
      writable: target,
      notify: p & P.NOTIFY,
      indicate: p & P.INDICATE,
      // Also on the rows that are not writable: the stack never calls it there.
      onWrite: (e: WriteEvent) => b.onDemand().bleService.write(target, e.data),
    };
  });
  return table;
}

/** Sets a characteristic's value, and notifies (or indicates) it when `notify` and someone listens. */
/** data: bytes, or a plain array of byte values (NRF takes either, as for the table's values). */
export function update(char: Char, data: Uint8Array | number[], notify: boolean): void {
  const g = GATT[char];
  const chr: any = {};
  const svc: any = {};
  chr[key(g[1])] = g[3] & P.INDICATE ? { value: data, indicate: notify } : { value: data, notify: notify };
  svc[key(g[0])] = chr;
  try {
    NRF.updateServices(svc);
  } catch (e) {
    // not connected yet, or the stack is busy: the value is refreshed on the next tick
  }
}
