// One simulated wearable of the demo: the real built firmware in EspruinoSim, provisioned with
// its key the way the flasher does it (Storage `bushu.key`, the key's 32 bytes, before boot), walking
// the demo's plan. Like sim/wearables/simulated-wearable.ts, but that one walks its own fixed
// schedule and always starts with empty flash; the demo needs its own plan and saved flash.
import { EspruinoSim, SimStorage, type SimConnection as EspConnection } from '../sim/espruino/index.ts';
import { addressOf, type SimConnection, type SimPeripheral, type SimService } from '../sim/wearables/peripheral.ts';
import type { FirmwareFiles } from '../sim/wearables/simulated-wearable.ts';
import type { AccelSample } from '../sim/espruino/index.ts';
import type { DemoDevice } from './roster.ts';

export interface DemoWatchOptions {
  device: DemoDevice;
  startUtcMs: number;
  offsetMin: number;
  keyHex: string;
  firmware: FirmwareFiles;
  /** Saved flash of an earlier run: the same watch, continued. */
  storage?: SimStorage;
}

export class DemoWatch implements SimPeripheral {
  readonly sim: EspruinoSim;
  private worldMs: number;
  private conn: Link | null = null;

  constructor(readonly o: DemoWatchOptions) {
    const d = o.device;
    this.worldMs = o.startUtcMs;
    this.sim = new EspruinoSim({ board: d.board, startTime: o.startUtcMs, timezoneHours: o.offsetMin / 60, address: addressOf(d.id), storage: o.storage });
    // Installing over saved flash is an app update: code files replaced, data files kept.
    this.sim.install(d.board === 'PUCKJS2' ? { '.bootcde': o.firmware.puck } : o.firmware.bangle);
    // Flash saved before bushu.key held raw bytes has the key as 64 hex digits, which the
    // firmware reads as no key: re-provisioned, as re-flashing with --key would.
    if (o.storage === undefined || o.storage.readBytes('bushu.key')?.length !== 32) {
      this.sim.install({ 'bushu.key': Buffer.from(o.keyHex, 'hex') });
    }
    this.sim.boot();
  }

  /**
   * Samples stamped in world time. The watch's clock may be off the world's by what the bridge's
   * last time write left (it writes whole seconds), so they are moved onto the watch's clock.
   */
  walk(samples: AccelSample[], worldNow: number): void {
    const skew = this.sim.now() - worldNow;
    this.sim.feedAccel(skew === 0 ? samples : samples.map((s) => ({ ...s, t: s.t + skew })));
  }

  advertising() {
    if (!this.sim.powered || this.conn?.connected) return null;
    return this.sim.ble.advertising();
  }

  connect(): SimConnection {
    this.conn = new Link(this.sim.ble.connect());
    return this.conn;
  }

  advanceTo(worldUtcMs: number): void {
    if (worldUtcMs <= this.worldMs) return;
    this.sim.advance(worldUtcMs - this.worldMs);
    this.worldMs = worldUtcMs;
  }

  /** Firmware exceptions so far (the simulator logs them and carries on, as Espruino does). */
  errors(): Error[] {
    return this.sim.errors;
  }
}

/** EspruinoSim's connection plus the drop callback FakeBindings registers (the demo never drops links). */
class Link implements SimConnection {
  constructor(private readonly c: EspConnection) {}
  get connected(): boolean {
    return this.c.connected;
  }
  services(): SimService[] {
    return this.c.services();
  }
  read(s: string, ch: string): Uint8Array {
    return this.c.read(s, ch);
  }
  write(s: string, ch: string, d: Uint8Array): void {
    this.c.write(s, ch, d);
  }
  subscribe(s: string, ch: string, cb: (d: Uint8Array) => void): void {
    this.c.subscribe(s, ch, cb);
  }
  unsubscribe(s: string, ch: string): void {
    this.c.unsubscribe(s, ch);
  }
  disconnect(): void {
    if (this.c.connected) this.c.disconnect();
  }
  onDisconnect(): void {}
}
