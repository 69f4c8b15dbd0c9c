// The GATT table for NRF.setServices (or Bangle.js's shared `bleServices`): the bushu service,
// battery 0x180F and the WeChat profile 0xFEE7. maxLen is generous on writable characteristics
// so that a write of the wrong length reaches onWrite and gets a BAD_LENGTH status, instead of
// being refused by the BLE stack with no explanation.

import { encodeStatus, encodeWeChatAddress, encodeWeChatSteps, encodeWeChatTarget, Length, UUID } from '../../shared/protocol/index.ts';
import type { Bushu } from '../core/bushu.ts';
import type { WriteEvent } from '../espruino.ts';
import { uuidKey } from './platform.ts';

/** Advertised so WeChat finds the watch: 16 bits, which fits beside the name. */
export const WECHAT_ADV = 'FEE7';

function chr(table: any, uuid: string, c: any): void {
  table[uuidKey(uuid)] = c;
}

/** Write handlers load the on-demand half of the core; Info is filled in when it loads. */
export function serviceTable(b: Bushu, battery: number): any {
  const svc: any = {};
  chr(svc, UUID.TODAY, { value: b.todayFrame(), maxLen: Length.TODAY, readable: true, notify: true });
  chr(svc, UUID.CONTROL, { value: new Uint8Array(1), maxLen: 64, writable: true, onWrite: (e: WriteEvent) => b.x().svc.control(e.data) });
  chr(svc, UUID.HISTORY, { value: new Uint8Array(Length.DAY), maxLen: Length.DAY, notify: true });
  chr(svc, UUID.STATUS, { value: encodeStatus({ target: 1, opcode: 0, status: 0 }), maxLen: Length.STATUS, readable: true, notify: true });
  chr(svc, UUID.INFO, { value: new Uint8Array(Length.INFO), maxLen: Length.INFO, readable: true });
  chr(svc, UUID.CURRENT_TIME, { value: new Uint8Array(1), maxLen: 32, writable: true, onWrite: (e: WriteEvent) => b.x().svc.currentTime(e.data) });
  chr(svc, UUID.LOCAL_TIME_INFO, { value: new Uint8Array(1), maxLen: 32, writable: true, onWrite: (e: WriteEvent) => b.x().svc.localTime(e.data) });
  const bat: any = {};
  chr(bat, UUID.BATTERY_LEVEL, { value: new Uint8Array([battery]), maxLen: 1, readable: true, notify: true });
  const wx: any = {};
  chr(wx, UUID.WECHAT_STEPS, { value: encodeWeChatSteps(b.c.steps), maxLen: 4, readable: true, indicate: true });
  chr(wx, UUID.WECHAT_TARGET, { value: encodeWeChatTarget(b.c.goal), maxLen: 32, readable: true, writable: true, indicate: true, onWrite: (e: WriteEvent) => b.x().svc.wechatTarget(e.data) });
  chr(wx, UUID.WECHAT_ADDRESS, { value: encodeWeChatAddress(b.deviceId), maxLen: Length.DEVICE_ID, readable: true });
  const table: any = {};
  table[UUID.SERVICE] = svc;
  table[uuidKey(UUID.BATTERY_SERVICE)] = bat;
  table[uuidKey(UUID.WECHAT_SERVICE)] = wx;
  return table;
}
