// The device's global functions and the E object (time, timers, Storage, crypto, load, pins).
import { createHash, randomBytes } from 'node:crypto';
import type { Device } from './device.ts';
import { Events } from './device.ts';
import { crc32, convolve, sum, variance } from './natives.ts';
import { SimStorage, toBytes, bytesToString } from './storage.ts';
import { estimateSize } from './memory.ts';

type G = Record<string, unknown>;

export interface Pins {
  leds: { LED1: boolean; LED2: boolean; LED3: boolean };
  watches: { fn: unknown; repeat: boolean; edge: string; id: number }[];
  battery: () => number;
  memory: () => { usage: number; total: number };
}

/** A device-side view of Storage: results are made in the device realm, errors too. */
function storageModule(dev: Device): G {
  const s = dev.storage;
  const wrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw dev.error((e as Error).message, (e as Error).name);
    }
  };
  const file = (f: ReturnType<SimStorage['open']>): G => ({
    write: (d: unknown) => wrap(() => f.write(d)),
    read: (n: number) => wrap(() => f.read(n)),
    readLine: () => wrap(() => f.readLine()),
    getLength: () => f.getLength(),
    erase: () => wrap(() => f.erase()),
  });
  return {
    read: (n: string, o?: number, l?: number) => wrap(() => s.read(n, o, l)),
    readJSON: (n: string, noEx?: boolean) => wrap(() => dev.toDevice(s.readJSON(n, !!noEx))),
    readArrayBuffer: (n: string) => wrap(() => {
      const b = s.readBytes(n);
      return b && dev.bytes(b).buffer;
    }),
    write: (n: string, d: unknown, o?: number, z?: number) => wrap(() => s.write(n, d as string, o ?? 0, z ?? 0)),
    writeJSON: (n: string, d: unknown) => wrap(() => s.writeJSON(n, d)),
    erase: (n: string) => wrap(() => s.erase(n)),
    list: (re?: RegExp, f?: { sf?: boolean }) => {
      const out = dev.realm.arr();
      for (const n of wrap(() => s.list(re, f))) out.push(n);
      return out;
    },
    getFree: () => s.getFree(),
    getStats: () => dev.toDevice({ totalBytes: s.total, freeBytes: s.getFree() }),
    compact: () => s.compact(),
    open: (n: string, m: string) => file(wrap(() => s.open(n, m))),
  };
}

export function installGlobals(dev: Device, pins: Pins): Events {
  const g = dev.ctx as G;
  const E = new Events(dev);
  const hold = (fn: unknown) => (dev.held.push(fn), fn);
  const timer = (repeat: boolean) => (fn: unknown, ms?: number, ...args: unknown[]) => {
    if (typeof fn === 'string') fn = dev.run.bind(dev, fn, 'timer');
    if (typeof fn !== 'function') throw dev.error('setTimeout/setInterval: expecting a function', 'TypeError');
    hold(fn);
    return dev.sched.timer(() => dev.call(fn, undefined, args), ms ?? 0, repeat);
  };
  Object.assign(g, {
    global: g,
    getTime: () => dev.sched.now() / 1000,
    setTime: (sec: number) => {
      if (!Number.isFinite(+sec)) throw dev.error(`setTime: not a number: ${sec}`, 'TypeError');
      dev.sched.setWall(+sec * 1000);
    },
    setTimeout: timer(false),
    setInterval: timer(true),
    clearTimeout: (id?: unknown) => dev.sched.clear(id),
    clearInterval: (id?: unknown) => dev.sched.clear(id),
    changeInterval: () => {},
    print: (...a: unknown[]) => dev.print(a),
    console: { log: (...a: unknown[]) => dev.print(a) },
    load: (name?: string) => {
      dev.pendingLoad = { name: name === undefined ? undefined : String(name) };
    },
    reset: () => {
      dev.pendingLoad = { name: '\u0000reset' };
    },
    process: {
      memory: () => {
        const m = pins.memory();
        return dev.toDevice({ usage: m.usage, total: m.total, free: m.total - m.usage });
      },
      env: { BOARD: dev.board, VERSION: '2v29' },
      version: '2v29',
    },
    require: (name: string) => {
      if (name === 'Storage') return storageModule(dev);
      if (name === 'crypto') {
        return {
          SHA256: (d: unknown) => dev.bytes(new Uint8Array(createHash('sha256').update(toBytes(d)).digest())).buffer,
          SHA1: (d: unknown) => dev.bytes(new Uint8Array(createHash('sha1').update(toBytes(d)).digest())).buffer,
        };
      }
      throw dev.error(`Module ${name} not found`);
    },
    E: {
      ...E.methods(() => g.E),
      on: (ev: string, fn: unknown) => {
        if (ev === 'kill') dev.killHandlers.push(hold(fn) as () => unknown);
        else if (ev === 'init') dev.initHandlers.push(hold(fn) as () => unknown);
        else E.on(ev, fn);
      },
      setTimeZone: (h: number) => {
        if (!Number.isFinite(+h)) throw dev.error(`E.setTimeZone: not a number: ${h}`, 'TypeError');
        dev.tz.minutes = Math.trunc(+h * 60); // Espruino stores (int)(zone*60)
      },
      setDST: () => {
        throw dev.error('E.setDST is not simulated: bushu uses a fixed offset');
      },
      getBattery: () => pins.battery(),
      hwRand: () => randomBytes(4).readInt32LE(0),
      CRC32: (d: unknown) => crc32(d),
      convolve: (a: unknown, b: unknown, o: number) => convolve(a, b, o),
      sum: (a: unknown) => sum(a),
      variance: (a: unknown, m: number) => variance(a, +m),
      getSizeOf: (v: unknown) => estimateSize(v),
      showMessage: () => {},
      showAlert: () => dev.realm.promise((res) => res()),
      reboot: () => {
        dev.pendingLoad = { name: '\u0000reboot' };
      },
      kickWatchdog: () => {},
      enableWatchdog: () => {},
      toArrayBuffer: (s: string) => dev.bytes(toBytes(s)).buffer,
      toString: (...a: unknown[]) => a.map((x) => bytesToString(toBytes(x))).join(''),
      toUint8Array: (...a: unknown[]) => dev.bytes(toBytes(a.map((x) => bytesToString(toBytes(x))).join(''))),
    },
  });
  // LEDs and the button
  const led = (name: keyof Pins['leds']) => {
    const pin = {
      write: (v: unknown) => void (pins.leds[name] = !!v),
      set: () => void (pins.leds[name] = true),
      reset: () => void (pins.leds[name] = false),
      read: () => pins.leds[name],
      toString: () => name,
    };
    return pin;
  };
  const LED1 = led('LED1'), LED2 = led('LED2'), LED3 = led('LED3');
  const BTN = { read: () => false, toString: () => 'BTN' };
  const asPin = (p: unknown) => {
    if (p === null || typeof p !== 'object' || typeof (p as G).write !== 'function') throw dev.error(`Not a pin: ${p}`, 'TypeError');
    return p as { write: (v: unknown) => void };
  };
  let watchId = 1;
  Object.assign(g, {
    LED: LED1, LED1, LED2, LED3, BTN, BTN1: BTN,
    digitalWrite: (p: unknown, v: unknown) => asPin(p).write(v),
    digitalRead: (p: { read?: () => unknown }) => (p?.read ? +!!p.read() : 0),
    digitalPulse: (p: unknown, v: unknown, ms: number | number[]) => {
      const pin = asPin(p);
      const total = (Array.isArray(ms) ? ms : [ms]).reduce((a, b) => a + Number(b), 0);
      pin.write(v);
      dev.sched.at(dev.sched.mono + total, () => pin.write(!v));
    },
    setWatch: (fn: unknown, pin: unknown, opts?: { repeat?: boolean; edge?: string } | number) => {
      if (typeof fn !== 'function') throw dev.error('setWatch: expecting a function', 'TypeError');
      if (pin !== BTN) throw dev.error(`setWatch: only BTN is simulated, got ${pin}`);
      const o = typeof opts === 'object' && opts ? opts : {};
      const w = { fn: hold(fn), repeat: !!o.repeat, edge: o.edge ?? 'both', id: watchId++ };
      pins.watches.push(w);
      return w.id;
    },
    clearWatch: (id?: number) => {
      const keep = id === undefined ? [] : pins.watches.filter((w) => w.id !== id);
      pins.watches.splice(0, pins.watches.length, ...keep);
    },
  });
  return E;
}
