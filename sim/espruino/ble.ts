// The BLE link: the GATT table the device publishes with NRF.setServices, and the peer side
// (SimBle, SimConnection) that tests and the bridge's simulator drive. It outlives interpreter
// resets, as the softdevice does: a connection survives load(). Semantics mirrored from
// Espruino's libs/bluetooth/jswrap_bluetooth.c and targets/nrf5x/bluetooth.c:
// - a second setServices while a central is connected does not throw: Espruino prints
//   "BLE Connected, queueing BLE restart for later", the old table stays until the disconnect,
//   and updateServices throws "Can't update services until BLE restart" meanwhile;
// - maxLen defaults to 1 and is raised to the initial value's length; a longer value is refused;
// - a notification carries at most 128 bytes (ATT MTU 131).
import type { Device, Events } from './device.ts';
import { toBytes } from './storage.ts';

export const NOTIFY_MAX = 128;

export interface Characteristic {
  value: Uint8Array;
  maxLen: number;
  properties: string[];
  onWrite?: unknown;
  onRead?: unknown;
}
type Table = Map<string, Map<string, Characteristic>>;

/** Canonical UUID: lower-case hex without dashes (4 digits for 16-bit ones). */
export function normUuid(u: unknown, fromDeviceKey = false): string {
  const s = String(u).trim().toLowerCase();
  // object keys like {0x2A2B: ...} arrive as decimal strings, which Espruino reads as numbers
  if (typeof u === 'number' || (fromDeviceKey && /^\d+$/.test(s))) {
    const n = Number(s);
    if (n >= 0 && n <= 0xffff) return n.toString(16).padStart(4, '0');
  }
  const hex = s.startsWith('0x') ? s.slice(2) : s.replace(/-/g, '');
  if (/^[0-9a-f]{4}$/.test(hex) || (/^[0-9a-f]{32}$/.test(hex) && !s.startsWith('0x'))) return hex;
  throw new Error(`Invalid UUID: ${JSON.stringify(String(u))} (use "0xABCD", "abcd" or a 128-bit UUID)`);
}

/**
 * The AD structures of a raw advertising packet (length, type, data): 16- and 128-bit service
 * UUID lists (types 0x02, 0x03, 0x06, 0x07; little-endian on air) and manufacturer data (0xFF).
 * A packet over 31 bytes, or a structure running past its end, is an error, as the stack's.
 */
export function parseAdvertisement(p: number[]): { uuids: string[]; manufacturerData: Uint8Array[] } {
  if (p.length > 31) throw new Error(`NRF.setAdvertising: a packet of ${p.length} bytes, over 31`);
  const uuids: string[] = [];
  const manufacturerData: Uint8Array[] = [];
  for (let at = 0; at < p.length; ) {
    const len = p[at];
    if (len === 0) break;
    if (at + 1 + len > p.length) throw new Error(`NRF.setAdvertising: an AD structure at ${at} runs past the packet`);
    const type = p[at + 1];
    const data = p.slice(at + 2, at + 1 + len);
    const hex = (b: number[]) => b.map((v) => v.toString(16).padStart(2, '0')).join('');
    if (type === 0x02 || type === 0x03) for (let i = 0; i + 2 <= data.length; i += 2) uuids.push(hex(data.slice(i, i + 2).reverse()));
    if (type === 0x06 || type === 0x07) for (let i = 0; i + 16 <= data.length; i += 16) uuids.push(hex(data.slice(i, i + 16).reverse()));
    if (type === 0xff) manufacturerData.push(Uint8Array.from(data));
    at += 1 + len;
  }
  return { uuids, manufacturerData };
}

export interface SimConnection {
  readonly connected: boolean;
  services(): { uuid: string; characteristics: { uuid: string; properties: string[] }[] }[];
  read(service: string, char: string): Uint8Array;
  write(service: string, char: string, data: Uint8Array): void;
  subscribe(service: string, char: string, cb: (data: Uint8Array) => void): void;
  unsubscribe(service: string, char: string): void;
  disconnect(): void;
}
export interface SimBle {
  /**
   * What a scanner gathers from the watch's advertising (all packets it rotates through and the
   * scan response): the name, the service UUIDs, and the manufacturer data of raw packets.
   */
  advertising(): { name: string; serviceUuids: string[]; address: string; manufacturerData?: Uint8Array[] };
  connect(): SimConnection;
  /** Errors thrown by peer callbacks (subscribe handlers). */
  readonly peerErrors: Error[];
  /** Delay between notifications, to model BLE throughput (default 0). */
  link: { notificationIntervalMs: number };
}

export class BleState implements SimBle {
  table: Table = new Map();
  pending: Table | null = null; // a setServices waiting for the disconnect
  servicesWereSet = false;
  options: Record<string, unknown> = {};
  advertise: string[] = [];
  advData: Record<string, unknown> = {};
  advOptions: Record<string, unknown> = {};
  /** Raw packets of NRF.setAdvertising([...]) (byte arrays), sent in turn with advData's. */
  advRaw: number[][] = [];
  conn: Connection | null = null;
  dev: Device | null = null;
  events: Events | null = null;
  security: Record<string, unknown> = {};
  txPower = 0;
  readonly peerErrors: Error[] = [];
  link = { notificationIntervalMs: 0 };
  lastNotifyAt = -Infinity;

  constructor(
    readonly address: string,
    private board: string,
  ) {}

  advertising() {
    const short = this.address.replace(/:/g, '').slice(-4);
    const name = typeof this.advOptions.name === 'string' ? this.advOptions.name : `${this.board === 'PUCKJS2' ? 'Puck.js' : 'Bangle.js'} ${short}`;
    const uuids = [...this.advertise, ...Object.keys(this.advData)].map((u) => normUuid(u, true));
    const manufacturerData: Uint8Array[] = [];
    for (const p of this.advRaw) {
      const ad = parseAdvertisement(p);
      uuids.push(...ad.uuids);
      manufacturerData.push(...ad.manufacturerData);
    }
    return { name, serviceUuids: [...new Set(uuids)], address: this.address, ...(manufacturerData.length > 0 ? { manufacturerData } : {}) };
  }

  connect(): SimConnection {
    if (this.conn?.connected) throw new Error('SimBle.connect: a central is already connected');
    this.conn = new Connection(this);
    this.events?.emit('connect', ['11:22:33:44:55:66 public']);
    return this.conn;
  }

  /** Both sides end up here; a queued setServices takes effect now (the softdevice restarts). */
  dropConnection(reason: number): void {
    if (!this.conn?.connected) return;
    this.conn.connected = false;
    this.conn = null;
    if (this.pending) {
      this.table = this.pending;
      this.pending = null;
    }
    this.events?.emit('disconnect', [reason]);
  }

  /** Power loss: the softdevice starts from nothing. */
  powerOff(): void {
    if (this.conn) this.conn.connected = false;
    this.conn = null;
    this.table = new Map();
    this.pending = null;
    this.servicesWereSet = false;
    this.advertise = [];
    this.advRaw = [];
    this.advData = {};
    this.advOptions = {};
  }

  find(table: Table, svc: string, chr: string, fromDevice = false): Characteristic {
    const s = table.get(normUuid(svc, fromDevice));
    const c = s?.get(normUuid(chr, fromDevice));
    if (!c) throw new Error(`No characteristic ${chr} in service ${svc}`);
    return c;
  }

  /** Schedules a notification to the peer, in order, spaced by the link interval. */
  deliver(cb: (d: Uint8Array) => void, data: Uint8Array): void {
    const sched = this.dev!.sched;
    const at = Math.max(sched.mono, this.lastNotifyAt + this.link.notificationIntervalMs);
    this.lastNotifyAt = at;
    const copy = data.slice();
    const conn = this.conn;
    sched.at(at, () => {
      if (!conn?.connected) return;
      try {
        cb(copy);
      } catch (e) {
        this.peerErrors.push(e as Error);
      }
    });
  }

  toValue(v: unknown): Uint8Array {
    return toBytes(v);
  }
}

class Connection implements SimConnection {
  connected = true;
  subs = new Map<Characteristic, (d: Uint8Array) => void>();
  constructor(private ble: BleState) {}

  private check(): void {
    if (!this.connected) throw new Error('SimConnection: not connected');
  }
  services() {
    this.check();
    return [...this.ble.table].map(([uuid, chars]) => ({
      uuid,
      characteristics: [...chars].map(([cu, c]) => ({ uuid: cu, properties: c.properties.slice() })),
    }));
  }
  read(service: string, char: string): Uint8Array {
    this.check();
    const c = this.ble.find(this.ble.table, service, char);
    if (!c.properties.includes('read')) throw new Error(`Characteristic ${char} is not readable`);
    const dev = this.ble.dev;
    if (typeof c.onRead === 'function' && dev) {
      const v = dev.call(c.onRead, undefined, []);
      if (v !== undefined) return toBytes(v);
    }
    return c.value.slice();
  }
  write(service: string, char: string, data: Uint8Array): void {
    this.check();
    const c = this.ble.find(this.ble.table, service, char);
    if (!c.properties.includes('write')) throw new Error(`Characteristic ${char} is not writable`);
    if (data.length > c.maxLen) throw new Error(`Write of ${data.length} bytes to ${char} exceeds maxLen ${c.maxLen}`);
    c.value = data.slice();
    const dev = this.ble.dev;
    if (dev && typeof c.onWrite === 'function') {
      const fn = c.onWrite;
      const bytes = data.slice();
      dev.sched.queue(() => {
        const evt = dev.realm.obj();
        evt.data = dev.bytes(bytes).buffer;
        dev.call(fn, undefined, [evt]);
      });
    }
  }
  subscribe(service: string, char: string, cb: (data: Uint8Array) => void): void {
    this.check();
    const c = this.ble.find(this.ble.table, service, char);
    if (!c.properties.includes('notify') && !c.properties.includes('indicate')) throw new Error(`Characteristic ${char} has neither notify nor indicate`);
    this.subs.set(c, cb);
  }
  unsubscribe(service: string, char: string): void {
    this.subs.delete(this.ble.find(this.ble.table, service, char));
  }
  disconnect(): void {
    this.ble.dropConnection(19); // remote user terminated connection
  }
}
