// noble bindings backed by simulated wearables, so the bridge runs the real noble on them.
// noble drives its bindings through methods (startScanning, connect, read, …) and listens for
// events (stateChange, discover, connect, servicesDiscover, characteristicsDiscover, read with
// isNotification, write, notify, disconnect): this class answers those calls from the simulated
// GATT, one BLE connection interval later, and injects link faults on request.
//
// Time: every tick is one connection interval. In 'free' mode a tick also advances the world's
// virtual clock, and ticks run back to back, so a month of history syncs in milliseconds;
// in 'paced' mode the caller moves the clock (bushu run --simulate) and ticks run on a timer.

import { EventEmitter } from 'node:events';
import { NOBLE_UUID, normUuid } from '../../shared/protocol/index.ts';
import type { SimConnection, SimPeripheral } from './peripheral.ts';
import type { LinkFaults } from './faults.ts';
import type { SimWorld } from './world.ts';

export interface FakeBindingsOptions {
  world: SimWorld;
  /** BLE connection interval (ms); one request answered, or notifications sent, per interval. */
  intervalMs?: number;
  /** Notifications per connection interval per link (nRF52 with MTU 131: a few). */
  notificationsPerInterval?: number;
  mode?: 'free' | 'paced';
  /** Adapter state to report (tests of powered-off / unauthorized). */
  state?: string;
  faults?: Record<string, LinkFaults>;
  /**
   * 'free' mode only: false keeps the clock still while nothing is on the air (only scanning),
   * so a harness can jump it to its next due time instead of ticking through idle hours.
   */
  advanceWhenIdle?: boolean;
}

interface Open {
  device: SimPeripheral;
  conn: SimConnection;
  notes: Array<{ svc: string; chr: string; data: Uint8Array }>;
  /** A frame held back by the reorder fault. */
  held?: Uint8Array;
}

export class FakeBindings extends EventEmitter {
  readonly world: SimWorld;
  readonly intervalMs: number;
  private perInterval: number;
  private scanning = false;
  private open = new Map<string, Open>();
  private cancelled = new Set<string>();
  private replies: Array<() => void> = [];
  private timer: NodeJS.Immediate | NodeJS.Timeout | null = null;
  /** Every notification delivered to noble, for the benchmark's byte count. */
  stats = { notifications: 0, notificationBytes: 0, ticks: 0 };

  constructor(private o: FakeBindingsOptions) {
    super();
    this.world = o.world;
    this.intervalMs = o.intervalMs ?? 30;
    this.perInterval = o.notificationsPerInterval ?? 4;
  }

  private faults(id: string): LinkFaults | undefined {
    return this.o.faults?.[id];
  }

  // --- noble's bindings interface ---
  init(): void {
    process.nextTick(() => this.emit('stateChange', this.o.state ?? 'poweredOn'));
  }
  setScanParameters(): void {
    process.nextTick(() => this.emit('scanParametersSet'));
  }
  startScanning(): void {
    this.scanning = true;
    process.nextTick(() => this.emit('scanStart', false));
    this.wake();
  }
  stopScanning(): void {
    this.scanning = false;
    process.nextTick(() => this.emit('scanStop'));
  }
  updateRssi(id: string): void {
    this.later(() => this.emit('rssiUpdate', id, -60));
  }
  reset(): void {}
  cancelConnect(id: string): void {
    this.disconnect(id);
  }

  connect(id: string): void {
    this.cancelled.delete(id);
    this.later(() => {
      if (this.cancelled.delete(id)) return; // the central gave up (timeout) before the answer
      const device = this.world.device(id);
      if (device === undefined || device.peripheral.advertising() === null) {
        this.emit('connect', id, new Error('peripheral not advertising'));
        return;
      }
      const conn = device.peripheral.connect();
      const o: Open = { device: device.peripheral, conn, notes: [] };
      this.open.set(id, o);
      conn.onDisconnect((reason) => this.dropped(id, reason));
      this.emit('connect', id, null);
    });
  }
  disconnect(id: string): void {
    const o = this.open.get(id);
    if (o === undefined) this.cancelled.add(id); // a connection still pending: cancel it
    o?.conn.disconnect();
    this.later(() => this.dropped(id, 'local host terminated connection'));
  }
  discoverServices(id: string, uuids: string[]): void {
    this.request(id, (o) => {
      const f = this.faults(id);
      if (f?.dropDuringDiscovery?.fire()) return this.drop(id, 'fault: dropped during discovery');
      if (f?.hangDuringDiscovery?.fire()) return; // never answered: only the bridge's timeout ends it
      const all = o.conn.services().map((s) => normUuid(s.uuid));
      this.emit('servicesDiscover', id, uuids.length ? all.filter((u) => uuids.includes(u)) : all);
    });
  }
  discoverCharacteristics(id: string, svc: string, uuids: string[]): void {
    this.request(id, (o) => {
      const s = o.conn.services().find((x) => normUuid(x.uuid) === svc);
      const chars = (s?.characteristics ?? []).map((c) => ({ uuid: normUuid(c.uuid), properties: c.properties })).filter((c) => !uuids.length || uuids.includes(c.uuid));
      this.emit('characteristicsDiscover', id, svc, chars);
    });
  }
  read(id: string, svc: string, chr: string): void {
    this.request(id, (o) => this.emit('read', id, svc, chr, Buffer.from(o.conn.read(svc, chr)), false));
  }
  write(id: string, svc: string, chr: string, data: Buffer): void {
    this.request(id, (o) => {
      o.conn.write(svc, chr, new Uint8Array(data));
      this.emit('write', id, svc, chr);
    });
  }
  notify(id: string, svc: string, chr: string, on: boolean): void {
    this.request(id, (o) => {
      if (on) o.conn.subscribe(svc, chr, (data) => this.enqueue(id, o, svc, chr, data));
      else o.conn.unsubscribe(svc, chr);
      this.emit('notify', id, svc, chr, on);
    });
  }

  // --- the simulated air ---
  private request(id: string, f: (o: Open) => void): void {
    this.later(() => {
      const o = this.open.get(id);
      if (o !== undefined && o.conn.connected) f(o); // a request to a dropped link is never answered, as on air
    });
  }
  private later(f: () => void): void {
    this.replies.push(f);
    this.wake();
  }
  /**
   * Link faults on notifications, then onto the air queue: garbage replaces a frame, a
   * duplicate goes out twice in a row, a reordered frame is held back and sent after the next.
   */
  private enqueue(id: string, o: Open, svc: string, chr: string, data: Uint8Array): void {
    const f = this.faults(id);
    const push = (d: Uint8Array) => o.notes.push({ svc, chr, data: d });
    if (f === undefined || normUuid(chr) !== NOBLE_UUID.HISTORY) return void push(data);
    // A short frame of the right version with an unknown type: it must be counted, not stored.
    if (f.garbage?.fire()) return void push(Uint8Array.from(data.subarray(0, 7), (b, i) => (i === 1 ? 0x55 : b ^ 0xa5)));
    // Cut short, as a notification clipped to a smaller MTU would be.
    if (f.truncate?.fire()) return void push(data.slice(0, Math.max(1, data.length >> 1)));
    const held = o.held;
    o.held = undefined;
    if (held === undefined && f.reorder?.fire()) {
      o.held = data;
      return;
    }
    push(data);
    if (f.duplicate?.fire()) push(data);
    if (held !== undefined) push(held);
  }
  private drop(id: string, reason: string): void {
    this.open.get(id)?.conn.disconnect();
    this.dropped(id, reason);
  }
  private dropped(id: string, reason: string): void {
    if (!this.open.delete(id)) return;
    this.emit('disconnect', id, reason);
  }

  private wake(): void {
    if (this.timer !== null) return;
    const run = () => {
      this.timer = null;
      this.tick();
      if (this.scanning || this.open.size > 0 || this.replies.length > 0) this.wake();
    };
    this.timer = this.o.mode === 'paced' ? setTimeout(run, this.intervalMs) : setImmediate(run);
  }

  /** One connection interval: time moves, queued replies go out, then a few notifications per link. */
  private tick(): void {
    this.stats.ticks++;
    if (this.o.mode !== 'paced' && (this.o.advanceWhenIdle !== false || this.busy())) this.world.advance(this.intervalMs);
    const replies = this.replies;
    this.replies = [];
    for (const r of replies) r();
    for (const [id, o] of this.open) {
      const f = this.faults(id);
      for (const n of o.notes.splice(0, this.perInterval)) {
        if (!this.open.has(id)) break;
        this.stats.notifications++;
        this.stats.notificationBytes += n.data.length;
        this.emit('read', id, normUuid(n.svc), normUuid(n.chr), Buffer.from(n.data), true);
        if (normUuid(n.chr) === NOBLE_UUID.HISTORY && f?.dropDuringHistory?.fire()) this.drop(id, 'fault: dropped during history transfer');
      }
    }
    // Advertising about once a virtual second, like a watch's advertising interval.
    if (this.scanning && this.stats.ticks % Math.ceil(1000 / this.intervalMs) === 1) for (const d of this.world.devices()) this.advertise(d.id, d.peripheral);
  }

  private advertise(id: string, p: SimPeripheral): void {
    const a = p.advertising();
    if (a === null || this.open.has(id)) return;
    const adv = { localName: a.name, serviceUuids: a.serviceUuids.map(normUuid), manufacturerData: undefined, serviceData: [], txPowerLevel: undefined };
    this.emit('discover', id, a.address, 'public', true, adv, -60, true);
  }

  /** A connection is open or being made, or a request awaits its answer. */
  busy(): boolean {
    return this.open.size > 0 || this.replies.length > 0;
  }

  /** Stops the pump (tests and the benchmark call this when done). */
  close(): void {
    this.scanning = false;
    for (const id of [...this.open.keys()]) this.drop(id, 'closed');
    if (this.timer !== null) {
      clearImmediate(this.timer as NodeJS.Immediate);
      clearTimeout(this.timer as NodeJS.Timeout);
      this.timer = null;
    }
  }
}
