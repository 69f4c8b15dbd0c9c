// A bushu watch running the real built firmware (dist/firmware) in EspruinoSim, walking on its
// seeded schedule: each burst of the day's schedule becomes a generated walk (signals.ts) fed as
// raw accelerometer samples at its time, so the firmware's own pedometer counts it. Walking
// comes in bursts rather than all day, which keeps a simulated month fast.
// The key is provisioned the way the flasher does it: Storage `bushu.key`, the key's 32 bytes, before boot.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EspruinoSim, SimStorage } from '../espruino/index.ts';
import { boardFlashBytes } from '../espruino/sim.ts';
import type { StorageSnapshot } from '../espruino/storage.ts';
import type { SimConnection as EspConnection } from '../espruino/index.ts';
import { walk } from '../signals.ts';
import { MS_PER_DAY, localMs } from '../../shared/days.ts';
import { NOBLE_UUID, decodeHistoryFrame, normUuid, type DayRecord } from '../../shared/protocol/index.ts';
import type { Logger } from '../../bridge/log.ts';
import { addressOf, type SimConnection, type SimPeripheral, type SimService } from './peripheral.ts';
import { daySchedule } from './schedule.ts';

export interface FirmwareFiles {
  bangle: Record<string, Uint8Array>;
  puck: string;
}

let cached: FirmwareFiles | undefined;

/**
 * dist/firmware of the package this file belongs to. Found by walking up to bushu's package.json
 * because this code runs both from source (sim/wearables/) and bundled (dist/cli/).
 */
export function builtFirmwareDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'bushu') return join(dir, 'dist/firmware');
  }
  throw new Error('cannot find the bushu package around ' + fileURLToPath(import.meta.url));
}

/**
 * The built firmware (`npm run build` writes it; the npm package ships it). The simulator only
 * reads it: building needs the dev tools (esbuild, TypeScript), which the bushu command must not.
 */
export async function firmwareFiles(dir = builtFirmwareDir()): Promise<FirmwareFiles> {
  if (cached) return cached;
  if (!existsSync(join(dir, 'bangle/metadata.json')) || !existsSync(join(dir, 'puck/bushu.js'))) {
    throw new Error(`no built firmware in ${dir}: run \`npm run build\``);
  }
  const meta = JSON.parse(readFileSync(join(dir, 'bangle/metadata.json'), 'utf8')) as { storage: { name: string; url?: string }[] };
  const bangle: Record<string, Uint8Array> = {};
  for (const s of meta.storage) if (s.url) bangle[s.name] = readFileSync(join(dir, 'bangle', s.url));
  cached = { bangle, puck: readFileSync(join(dir, 'puck/bushu.js'), 'utf8') };
  return cached;
}

export interface WearableOptions {
  deviceId: string;
  seed: number;
  startUtcMs: number;
  offsetMin: number;
  key?: Uint8Array;
  board?: 'BANGLEJS2' | 'PUCKJS2';
  firmware: FirmwareFiles;
  /** The flash of a watch saved earlier (WatchSnapshot): the watch boots again on it. */
  storage?: SimStorage;
  /** The watch's clock minus the world's at start (a watch rebuilt from a snapshot keeps its skew). */
  clockOffsetMs?: number;
  /** The watch's E.setTimeZone minutes at start; offsetMin by default. */
  timezoneMinutes?: number;
  /** The wearer stops walking at this world time (a harness's quiet tail); walks on by default. */
  walkUntilMs?: number;
  /** Called after the watch's flash changed (a harness saves it then, before anything else runs). */
  onFlash?: (w: SimulatedWearable) => void;
  /** Called after a connected central wrote a characteristic (its UUID as written), before onFlash. */
  onWrite?: (w: SimulatedWearable, characteristic: string) => void;
}

/** What a harness keeps of a watch between processes: its flash, clock skew and zone. */
export interface WatchSnapshot {
  worldMs: number;
  clockOffsetMs: number;
  timezoneMinutes: number;
  board: 'BANGLEJS2' | 'PUCKJS2';
  storage: StorageSnapshot;
}

export class SimulatedWearable implements SimPeripheral {
  readonly sim: EspruinoSim;
  readonly deviceId: string;
  /** Every Day record the watch sent, newest last: what the e2e tests compare the store with. */
  readonly sent: DayRecord[] = [];
  private worldMs: number;
  private fedUntil: number; // world ms up to which walking has been scheduled
  private conn: WrappedConnection | null = null;

  constructor(private o: WearableOptions) {
    this.deviceId = o.deviceId;
    this.worldMs = o.startUtcMs;
    this.fedUntil = o.startUtcMs;
    this.sim = new EspruinoSim({
      board: o.board ?? 'BANGLEJS2',
      startTime: o.startUtcMs + (o.clockOffsetMs ?? 0),
      timezoneHours: (o.timezoneMinutes ?? o.offsetMin) / 60,
      address: addressOf(o.deviceId),
      storage: o.storage,
    });
    this.sim.install(o.board === 'PUCKJS2' ? { '.bootcde': o.firmware.puck } : o.firmware.bangle);
    if (o.key) this.sim.install({ 'bushu.key': o.key });
    this.sim.boot();
    this.flashMark = this.flashCount();
  }

  private flashMark = 0;
  private flashCount(): number {
    const st = this.sim.storage.stats;
    return st.bytesProgrammed + st.filesDeleted + st.pageErases;
  }
  /** Tells onFlash when the flash changed since the last call. */
  flashChanged(): void {
    const n = this.flashCount();
    if (n === this.flashMark) return;
    this.flashMark = n;
    this.o.onFlash?.(this);
  }

  /** The watch's own files (history, key, settings) and clock: what survives its host process. */
  snapshot(): WatchSnapshot {
    return {
      worldMs: this.worldMs,
      clockOffsetMs: this.sim.now() - this.worldMs,
      timezoneMinutes: this.sim.timezoneMinutes,
      board: this.o.board ?? 'BANGLEJS2',
      // The app's files are installed again from the firmware on restore: only what the watch wrote.
      storage: this.sim.storage.snapshot((name) => !(name in this.o.firmware.bangle) && name !== '.bootcde'),
    };
  }

  /** The watch booted again on a snapshot's flash (its RAM, e.g. steps not yet written, is gone). */
  static restore(o: Omit<WearableOptions, 'storage' | 'clockOffsetMs' | 'timezoneMinutes' | 'startUtcMs' | 'board'>, s: WatchSnapshot): SimulatedWearable {
    const storage = new SimStorage({ bytes: boardFlashBytes(s.board) });
    storage.restore(s.storage);
    return new SimulatedWearable({ ...o, board: s.board, startUtcMs: s.worldMs, storage, clockOffsetMs: s.clockOffsetMs, timezoneMinutes: s.timezoneMinutes });
  }
  advertising() {
    if (!this.sim.powered || this.conn?.connected) return null;
    return this.sim.ble.advertising();
  }

  connect(): SimConnection {
    this.conn = new WrappedConnection(this.sim.ble.connect(), this.sent, (characteristic) => {
      this.o.onWrite?.(this, characteristic);
      this.flashChanged();
    });
    return this.conn;
  }

  advanceTo(worldUtcMs: number): void {
    // Walking is scheduled a local day at a time, ahead of the clock, on the watch's own clock.
    while (this.fedUntil <= worldUtcMs) {
      const dayStartLocal = Math.floor(localMs(this.fedUntil, this.o.offsetMin) / MS_PER_DAY) * MS_PER_DAY;
      const day = dayStartLocal / MS_PER_DAY;
      const skew = this.sim.now() - this.worldMs;
      const samples: { t: number; x: number; y: number; z: number }[] = [];
      daySchedule(this.o.seed, day).forEach((b, i) => {
        const startWorld = dayStartLocal + b.startMs - this.o.offsetMin * 60_000;
        if (startWorld < this.fedUntil || startWorld < this.worldMs || startWorld >= (this.o.walkUntilMs ?? Infinity)) return;
        const rec = walk({ seed: this.o.seed * 100 + day * 7 + i, steps: b.steps, cadence: b.cadence }).rec;
        for (let k = 0; k < rec.t.length; k++) samples.push({ t: startWorld + skew + rec.t[k], x: rec.x[k], y: rec.y[k], z: rec.z[k] });
      });
      if (this.sim.powered) this.sim.feedAccel(samples);
      this.fedUntil = dayStartLocal + MS_PER_DAY - this.o.offsetMin * 60_000;
    }
    this.sim.advance(worldUtcMs - this.worldMs);
    this.worldMs = worldUtcMs;
    this.flashChanged();
    this.conn?.check();
  }

  /** A watch reboot (Espruino load()): the link drops, Storage keeps history and the key. */
  reboot(): void {
    this.sim.load();
    // load() clears every pending task, the walking scheduled ahead included: schedule the rest
    // of the day again (a walk in progress at the reboot is cut short, as on a real watch).
    this.fedUntil = this.worldMs;
    this.flashChanged();
    this.conn?.dropped('watch rebooted');
  }

  /**
   * The watch's history erased (a factory wipe and reinstall; the key, provisioned at flash time,
   * and the app stay), then a reboot: the firmware starts a new history file, with a new epoch.
   */
  wipe(): void {
    for (const name of this.sim.storage.list(/^bushu\.hist/)) this.sim.storage.erase(name);
    this.reboot();
  }

  /** Clock skew: the watch's clock jumps by `ms` (the bridge must set it right on connect). */
  skewClock(ms: number): void {
    this.sim.setClock(this.sim.now() + ms);
  }
}

/** EspruinoSim's connection plus the drop callback FakeBindings needs, and a tap on history. */
class WrappedConnection implements SimConnection {
  private dropCbs: Array<(r: string) => void> = [];
  private closedByUs = false;

  constructor(
    private c: EspConnection,
    private sent: DayRecord[],
    private afterWrite: (characteristic: string) => void = () => undefined,
  ) {}

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
    this.afterWrite(ch);
  }
  subscribe(s: string, ch: string, cb: (d: Uint8Array) => void): void {
    const history = normUuid(ch) === NOBLE_UUID.HISTORY;
    this.c.subscribe(s, ch, (d) => {
      if (history) {
        const f = decodeHistoryFrame(d);
        if (f.ok && f.value.kind === 'day') this.sent.push(f.value.record);
      }
      cb(d);
    });
  }
  unsubscribe(s: string, ch: string): void {
    this.c.unsubscribe(s, ch);
  }
  disconnect(): void {
    this.closedByUs = true;
    if (this.c.connected) this.c.disconnect();
  }
  onDisconnect(cb: (r: string) => void): void {
    this.dropCbs.push(cb);
  }
  /** Called after time moves: notices a link the watch dropped (a power loss). */
  check(): void {
    if (!this.c.connected && !this.closedByUs) this.dropped('watch dropped the link');
  }
  dropped(reason: string): void {
    if (this.closedByUs) return;
    this.closedByUs = true;
    // EspruinoSim keeps a link across load(), as the softdevice does; the simulated reboot
    // drops it, so the watch advertises again and takes the next connection.
    if (this.c.connected) this.c.disconnect();
    for (const cb of this.dropCbs) cb(reason);
  }
}

/** A fleet hook: real-firmware watches when the firmware can be loaded; null (protocol fakes) otherwise. */
export function makeFirmwareWatch(log: Logger, files?: FirmwareFiles) {
  const fw = files ?? cached;
  if (fw === undefined) {
    log.warn('the firmware is not loaded: simulated watches use the protocol fake (call firmwareFiles() first)');
    return undefined;
  }
  return (o: { deviceId: string; seed: number; startUtcMs: number; offsetMin: number; key: Uint8Array }) => new SimulatedWearable({ ...o, firmware: fw });
}
