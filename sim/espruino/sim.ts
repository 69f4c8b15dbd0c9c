// EspruinoSim: a Bangle.js 2 or Puck.js v2 in Node, close enough to the real interpreter on the
// points bushu's firmware relies on (see the other modules of this folder for each rule).
import { createHash } from 'node:crypto';
import { BleState, type SimBle } from './ble.ts';
import { installDate } from './date.ts';
import { Device, type Events, type Board } from './device.ts';
import { installGlobals, type Pins } from './globals.ts';
import { installBangle, installPuck, type BangleState, type PuckState, type Screen } from './hardware.ts';
import { BASE_VARS, TOTAL_VARS, estimateContext } from './memory.ts';
import { installNrf } from './nrf.ts';
import { Scheduler } from './scheduler.ts';
import { SimStorage } from './storage.ts';
import { bootFileOrder, runBoot } from './boot.ts';

export interface SimOptions {
  board: Board;
  startTime: number; // virtual UTC ms
  timezoneHours?: number; // E.setTimeZone value at power-on, default 0
  address?: string; // 'aa:bb:cc:dd:ee:ff', default derived from `seed`
  seed?: number; // for the default address (default 1)
  storage?: SimStorage; // pass one to keep flash across a new EspruinoSim (battery-out)
  flashBytes?: number; // default 8 MB Bangle / 40 KB Puck
}
export interface AccelSample { t: number; x: number; y: number; z: number }

/** The Storage a board has by default: the Bangle.js 2's 8 MB flash, the Puck.js's 40 KB. */
export function boardFlashBytes(board: Board): number {
  return board === 'BANGLEJS2' ? 8 * 1024 * 1024 : 40 * 1024;
}

export class EspruinoSim {
  readonly storage: SimStorage;
  readonly board: Board;
  readonly log: string[] = [];
  readonly errors: Error[] = [];
  readonly leds = { LED1: false, LED2: false, LED3: false };
  readonly screen: Screen = { strings: [], lastFrame: [], calls: 0 };
  readonly bangleState: BangleState = { pollMs: 80, options: {}, lcdOn: true, charging: false, buzzes: 0, stepCounter: 0 };
  readonly puckState: PuckState = { accelHz: 0 };
  battery = 87;
  private readonly sched: Scheduler;
  private readonly bleState: BleState;
  private readonly tz: { minutes: number };
  private dev: Device | null = null;
  private hw: Events | null = null; // Bangle or Puck events of the current interpreter
  private watches: Pins['watches'] = [];
  private lastMag = 1;

  constructor(opts: SimOptions) {
    if (opts.board !== 'BANGLEJS2' && opts.board !== 'PUCKJS2') throw new Error(`EspruinoSim: unknown board ${JSON.stringify(opts.board)}`);
    if (!Number.isFinite(opts.startTime)) throw new Error('EspruinoSim: startTime must be UTC ms');
    this.board = opts.board;
    this.sched = new Scheduler(opts.startTime);
    this.tz = { minutes: Math.trunc((opts.timezoneHours ?? 0) * 60) };
    this.storage = opts.storage ?? new SimStorage({ bytes: opts.flashBytes ?? boardFlashBytes(opts.board) });
    const address = opts.address ?? defaultAddress(opts.board, opts.seed ?? 1);
    if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(address)) throw new Error(`EspruinoSim: address must look like aa:bb:cc:dd:ee:ff, got ${address}`);
    this.bleState = new BleState(address, opts.board);
    this.sched.afterTask = () => this.afterTask();
  }

  get ble(): SimBle {
    return this.bleState;
  }
  get powered(): boolean {
    return this.dev !== null;
  }
  now(): number {
    return this.sched.now();
  }

  install(files: Record<string, string | Uint8Array>): void {
    for (const [name, data] of Object.entries(files)) this.storage.write(name, data);
  }

  /** Power-on: a fresh interpreter, the boot code, then the default app. */
  boot(): void {
    this.bangleState.stepCounter = 0;
    this.start(undefined);
  }

  /** Espruino's load(): 'kill' handlers, a fresh interpreter, boot code, then the app. */
  load(app?: string): void {
    this.kill();
    this.start(app);
  }

  /** The battery is pulled: no 'kill' events, the link drops, Storage keeps what was written. */
  powerLoss(): void {
    this.dev = null;
    this.hw = null;
    this.sched.reset();
    this.bleState.powerOff();
  }

  advance(ms: number): void {
    this.sched.advance(ms);
  }

  feedAccel(samples: AccelSample[]): void {
    for (const s of samples) {
      if (![s.t, s.x, s.y, s.z].every(Number.isFinite)) throw new Error(`feedAccel: bad sample ${JSON.stringify(s)}`);
      const at = s.t - this.sched.wallOffset;
      if (at < this.sched.mono) throw new Error(`feedAccel: sample at ${s.t} is before now (${this.now()})`);
      this.sched.at(at, () => this.deliverAccel(s));
    }
  }

  setClock(utcMs: number): void {
    if (!Number.isFinite(utcMs)) throw new Error('setClock: utcMs must be a number');
    this.sched.setWall(utcMs);
  }
  /** The E.setTimeZone offset in force, in minutes. */
  get timezoneMinutes(): number {
    return this.tz.minutes;
  }
  setTimezone(hours: number): void {
    if (!Number.isFinite(hours)) throw new Error('setTimezone: hours must be a number');
    this.tz.minutes = Math.trunc(hours * 60);
  }

  /** Runs code in the device, like the REPL; a load() it asks for happens right after. */
  eval(code: string): unknown {
    const dev = this.need();
    const r = dev.run(code, 'REPL');
    this.afterTask();
    return r;
  }

  /** Estimated JsVars (see memory.ts): an estimate for budgets, not a measurement. */
  memory(): { usage: number; total: number } {
    const total = TOTAL_VARS[this.board];
    if (!this.dev) return { usage: 0, total };
    return { usage: BASE_VARS[this.board] + estimateContext(this.dev.ctx, this.dev.builtins, this.dev.held, this.dev.codeVars), total };
  }

  /**
   * A BTN press now and its release `holdMs` later (100 ms: a click), to every setWatch that
   * wants the edge; on the Bangle the release also goes to the current Bangle.setUI's `back` (or
   * `btn`), as it does on the watch, where setUI watches the button itself.
   */
  pressButton(holdMs = 100): void {
    this.need();
    const edge = (state: boolean) => () => {
      const dev = this.dev;
      if (!dev) return;
      const ui = this.bangleState.ui;
      const answer = ui?.back ?? ui?.btn;
      if (!state && this.board === 'BANGLEJS2' && typeof answer === 'function') dev.call(answer, undefined, []);
      for (const w of this.watches.slice()) {
        if (w.edge === (state ? 'falling' : 'rising')) continue;
        if (!w.repeat) this.watches.splice(this.watches.indexOf(w), 1);
        dev.call(w.fn, undefined, [dev.toDevice({ state, time: this.now() / 1000, lastTime: this.now() / 1000 })]);
      }
    };
    this.sched.queue(edge(true));
    this.sched.at(this.sched.mono + holdMs, edge(false));
  }

  /** A tap on the Bangle's screen: the current Bangle.setUI's `touch`, if any. */
  touch(x = 88, y = 88): void {
    const dev = this.need();
    const touch = this.bangleState.ui?.touch;
    this.sched.queue(() => {
      if (typeof touch === 'function' && this.dev === dev) dev.call(touch, undefined, [1, dev.toDevice({ x, y, type: 0 })]);
    });
    this.sched.drain();
    this.afterTask();
  }

  /** Taps the item `label` of the menu (E.showMenu) or prompt (E.showPrompt) that is up. */
  choose(label: string): void {
    const dev = this.need();
    const pick = this.bangleState.ui?.choices?.[label];
    if (!pick) throw new Error(`choose: no ${JSON.stringify(label)} on screen (menu ${JSON.stringify(this.bangleState.menu?.items)}, prompt ${JSON.stringify(this.bangleState.prompt?.buttons)})`);
    this.sched.queue(() => this.dev === dev && pick());
    this.sched.drain();
    this.afterTask();
  }

  /** The firmware's 'health' event (sent as each 10-minute block ends), with its built-in figures. */
  health(): void {
    const dev = this.need();
    const bangle = (dev.ctx as Record<string, { getHealthStatus: (r: string) => unknown }>).Bangle;
    if (this.hw && this.board === 'BANGLEJS2') this.hw.emit('health', [dev.toDevice({ movement: 0, steps: 0, bpm: 0, bpmConfidence: 0, activity: 'UNKNOWN' })], bangle);
    this.sched.drain();
  }

  private need(): Device {
    if (!this.dev) throw new Error('EspruinoSim: the device is off (call boot())');
    return this.dev;
  }

  private kill(): void {
    const dev = this.dev;
    if (!dev) return;
    for (const fn of dev.killHandlers) dev.call(fn, undefined, []);
  }

  private fresh(): Device {
    const dev = new Device(this.board, this.sched, this.storage, this.log, this.errors, this.tz);
    this.sched.reset();
    this.bangleState.ui = undefined;
    this.bangleState.menu = undefined;
    this.bangleState.prompt = undefined;
    this.sched.onError = (e) => dev.report(e);
    this.watches = [];
    installDate(dev.ctx, { now: () => this.sched.now(), tzMinutes: () => this.tz.minutes });
    installGlobals(dev, {
      leds: this.leds,
      watches: this.watches,
      battery: () => this.battery,
      memory: () => this.memory(),
    });
    installNrf(dev, this.bleState);
    this.hw = this.board === 'BANGLEJS2' ? installBangle(dev, this.screen, this.bangleState) : installPuck(dev, this.puckState);
    this.puckState.accelHz = 0;
    dev.sealBuiltins();
    this.dev = dev;
    return dev;
  }

  private start(app: string | undefined): void {
    const dev = this.fresh();
    runBoot(dev, this.board === 'BANGLEJS2' ? bootFileOrder(this.storage.list(/\.boot\.js$/)) : ['.boot0', '.boot1', '.boot2', '.boot3', '.bootcde']);
    if (this.board === 'BANGLEJS2') {
      const file = app === undefined ? this.defaultApp() : this.storage.read(app) !== undefined ? app : `${app}.app.js`;
      if (file !== undefined) {
        const code = this.storage.read(file);
        if (code === undefined) dev.report(new Error(`load: no file "${file}" in Storage`));
        else this.runFile(dev, code, file);
      }
    }
    for (const fn of dev.initHandlers) this.sched.queue(() => dev.call(fn, undefined, []));
    this.afterTask();
  }

  private defaultApp(): string | undefined {
    const settings = this.storage.readJSON('setting.json', true) as { clock?: string } | undefined;
    if (settings?.clock && this.storage.read(settings.clock) !== undefined) return settings.clock;
    return this.storage.read('.bootcde') !== undefined ? '.bootcde' : undefined;
  }

  private runFile(dev: Device, code: string, name: string): void {
    try {
      dev.run(code, name);
    } catch (e) {
      dev.report(e);
    }
  }

  private afterTask(): void {
    const dev = this.dev;
    if (!dev?.pendingLoad) return;
    const name = dev.pendingLoad.name;
    dev.pendingLoad = null;
    if (name === '\u0000reset') {
      this.kill();
      this.fresh();
    } else if (name === '\u0000reboot') {
      this.kill();
      this.bangleState.stepCounter = 0;
      this.bleState.powerOff();
      this.start(undefined);
    } else this.load(name);
  }

  private deliverAccel(s: AccelSample): void {
    const dev = this.dev;
    if (!dev || !this.hw) return;
    const a = dev.realm.obj();
    if (this.board === 'BANGLEJS2') {
      const x = s.x / 8192, y = s.y / 8192, z = s.z / 8192;
      const mag = Math.sqrt(x * x + y * y + z * z);
      Object.assign(a, { x, y, z, diff: Math.abs(mag - this.lastMag), mag });
      this.lastMag = mag;
    } else {
      if (this.puckState.accelHz === 0) return;
      const acc = dev.realm.obj();
      Object.assign(acc, { x: s.x, y: s.y, z: s.z });
      a.acc = acc;
      a.gyro = dev.toDevice({ x: 0, y: 0, z: 0 });
    }
    this.hw.fire('accel', [a]);
  }
}

function defaultAddress(board: string, seed: number): string {
  const h = createHash('sha256').update(`${board}:${seed}`).digest();
  h[0] |= 0xc0; // a random static address has its two top bits set
  return Array.from(h.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(':');
}
