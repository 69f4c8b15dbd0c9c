// The device-side NRF object, over the BleState that outlives the interpreter (see ble.ts).
import type { BleState, Characteristic } from './ble.ts';
import { NOTIFY_MAX, normUuid, parseAdvertisement } from './ble.ts';
import type { Device } from './device.ts';
import { Events } from './device.ts';
import { toBytes } from './storage.ts';

type Obj = Record<string, unknown>;

function buildTable(dev: Device, data: unknown): Map<string, Map<string, Characteristic>> {
  const table = new Map<string, Map<string, Characteristic>>();
  if (data === undefined || data === null) return table;
  if (typeof data !== 'object') throw dev.error('NRF.setServices: expecting an object of services', 'TypeError');
  for (const [su, svc] of Object.entries(data as Obj)) {
    const chars = new Map<string, Characteristic>();
    if (!svc || typeof svc !== 'object') throw dev.error(`NRF.setServices: service ${su} must be an object`, 'TypeError');
    for (const [cu, ch] of Object.entries(svc as Obj)) {
      const c = (ch ?? {}) as Obj;
      const value = c.value === undefined ? new Uint8Array(0) : toBytes(c.value);
      const props: string[] = [];
      if (c.readable) props.push('read');
      if (c.writable) props.push('write');
      if (c.notify) props.push('notify');
      if (c.indicate) props.push('indicate');
      chars.set(normUuid(cu, true), {
        value,
        maxLen: Math.max(Number(c.maxLen) || 1, value.length), // Espruino: default 1, at least the initial value
        properties: props,
        onWrite: c.onWrite,
        onRead: c.onRead,
      });
      if (typeof c.onWrite === 'function') dev.held.push(c.onWrite);
    }
    table.set(normUuid(su, true), chars);
  }
  return table;
}

export function installNrf(dev: Device, ble: BleState): Events {
  const ev = new Events(dev);
  ble.dev = dev;
  ble.events = ev;
  const wrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw dev.error((e as Error).message);
    }
  };
  const NRF: Obj = {
    ...ev.methods(() => NRF),
    setServices(data: unknown, options?: Obj) {
      const table = wrap(() => buildTable(dev, data));
      ble.options = options ?? {};
      ble.advertise = Array.isArray(ble.options.advertise) ? ble.options.advertise.map(String) : [];
      if (ble.servicesWereSet && ble.conn?.connected) {
        dev.log.push('BLE Connected, queueing BLE restart for later');
        ble.pending = table;
        return;
      }
      ble.table = table;
      ble.servicesWereSet = true;
    },
    updateServices(data: unknown) {
      if (ble.pending) throw dev.error("Can't update services until BLE restart");
      if (!data || typeof data !== 'object') throw dev.error('NRF.updateServices: expecting an object', 'TypeError');
      for (const [su, svc] of Object.entries(data as Obj)) {
        for (const [cu, ch] of Object.entries((svc ?? {}) as Obj)) {
          // real Espruino silently skips undeclared characteristics; the simulator reports them
          const c = wrap(() => ble.find(ble.table, su, cu, true));
          const u = (ch ?? {}) as Obj;
          if (u.value === undefined) continue;
          const v = toBytes(u.value);
          if (v.length === 0) continue; // Espruino ignores empty values
          if (v.length > c.maxLen) throw dev.error(`NRF.updateServices: value for ${cu} is ${v.length} bytes, over its maxLen ${c.maxLen} (BLE error INVALID_PARAMS)`);
          c.value = v;
          if ((u.notify || u.indicate) && ble.conn?.connected) {
            if (v.length > NOTIFY_MAX) throw dev.error(`NRF.updateServices: notification for ${cu} is ${v.length} bytes, over ${NOTIFY_MAX} (BLE error DATA_SIZE)`);
            const cb = ble.conn.subs.get(c);
            if (cb) ble.deliver(cb, v);
          }
        }
      }
    },
    getAddress: () => ble.address + ' public',
    // An object (service data / UUIDs), raw bytes, or an array of either that Espruino sends
    // in turn; the simulator gathers what they advertise (BleState.advertising).
    setAdvertising(data: unknown, opts?: Obj) {
      const isRaw = (d: unknown) => Array.isArray(d) && d.every((v) => typeof v === 'number');
      const list = Array.isArray(data) && !isRaw(data) ? data : [data];
      const objects = list.filter((d) => d && typeof d === 'object' && !Array.isArray(d) && !ArrayBuffer.isView(d));
      const raw = list.filter((d) => isRaw(d) || ArrayBuffer.isView(d)).map((d) => Array.from(d as ArrayLike<number>));
      for (const p of raw) parseAdvertisement(p); // a packet the stack would refuse throws here
      ble.advData = Object.assign({}, ...(objects as Obj[]));
      ble.advRaw = raw;
      ble.advOptions = { ...(opts ?? {}) };
    },
    getAdvertisingData: () => dev.toDevice(ble.advData),
    setSecurity(opts: Obj) {
      ble.security = { ...(opts ?? {}) };
    },
    getSecurityStatus: () => dev.toDevice({ connected: !!ble.conn?.connected, encrypted: false, mitm_protected: false, bonded: false }),
    setTxPower(p: number) {
      ble.txPower = Number(p);
    },
    disconnect() {
      ble.dropConnection(22); // connection terminated by local host
    },
    sleep() {},
    wake() {},
    restart() {},
    setConnectionInterval() {},
    getBattery: () => 3.0,
  };
  (dev.ctx as Obj).NRF = NRF;
  return ev;
}
