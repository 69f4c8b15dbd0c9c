// Bangle (with the g Graphics stub and widgets) and Puck objects of the device context.
import type { Device } from './device.ts';
import { Events } from './device.ts';

type Obj = Record<string, unknown>;

export interface Screen {
  strings: string[]; // strings drawn since the last clear (the current frame)
  lastFrame: string[]; // strings of the last completed frame (at clear or flip)
  calls: number;
}

function graphics(screen: Screen): Obj {
  const g: Obj = {};
  const chain = (name: string) => (g[name] = () => (screen.calls++, g));
  for (const n of ['setFont', 'setFontAlign', 'fillRect', 'drawRect', 'clearRect', 'setColor', 'setBgColor', 'reset',
    'drawImage', 'drawLine', 'fillCircle', 'drawCircle', 'setFontVector', 'setFont6x8', 'setFont12x20', 'fillPoly', 'drawPoly']) chain(n);
  g.clear = () => {
    screen.lastFrame = screen.strings;
    screen.strings = [];
    return g;
  };
  g.flip = () => {
    screen.lastFrame = screen.strings.slice();
    return g;
  };
  g.drawString = (s: unknown) => (screen.strings.push(String(s)), screen.calls++, g);
  g.stringWidth = (s: unknown) => String(s).length * 6;
  g.getWidth = () => 176;
  g.getHeight = () => 176;
  g.theme = { fg: 0xffff, bg: 0, fg2: 0xffff, bg2: 0, fgH: 0xffff, bgH: 0x02f7, dark: true };
  return g;
}

export interface BangleState {
  pollMs: number;
  options: Obj;
  lcdOn: boolean;
  charging: boolean;
  buzzes: number;
  /**
   * The firmware's step counter (Bangle.getStepCount/setStepCount): kept across load(), zero at
   * power-on. The simulator has no built-in pedometer, so only setStepCount moves it.
   */
  stepCounter: number;
  /** The current Bangle.setUI (E.showMenu and E.showPrompt set one too), undefined before any. */
  ui?: Ui;
  /** The menu E.showMenu shows, while it is up: its title and item labels. */
  menu?: { title: string; items: string[] };
  /** The prompt E.showPrompt shows, while it is up. */
  prompt?: { message: string; title: string; buttons: string[] };
}

/** What Bangle.setUI was given (device functions). */
export interface Ui {
  mode: string;
  back?: unknown;
  btn?: unknown;
  touch?: unknown;
  remove?: unknown;
  /** E.showMenu's items by label, E.showPrompt's buttons by label: what a tap on one runs. */
  choices?: Record<string, () => void>;
}

/** Espruino's 10-minute health blocks: Bangle.getHealthStatus ranges and the 'health' event. */
export const HEALTH_BLOCK_MS = 600000;
const HEALTH_RANGES = [undefined, '10min', 'last', 'day'];

export function installBangle(dev: Device, screen: Screen, st: BangleState): Events {
  const ev = new Events(dev);
  const ctx = dev.ctx as Obj;
  const g = graphics(screen);
  const Bangle: Obj = {
    ...ev.methods(() => Bangle),
    setPollInterval(ms: number) {
      if (!(ms >= 10 && ms <= 4000)) throw dev.error(`Bangle.setPollInterval: ${ms} ms is out of range (10..4000)`);
      st.pollMs = ms;
    },
    setOptions(o: Obj) {
      Object.assign(st.options, o ?? {});
    },
    getOptions: () => dev.toDevice(st.options),
    isCharging: () => st.charging,
    // The simulator counts no steps itself: the built-in figures are zero, as with
    // stepCounterDisabled on a real watch. An unknown range throws, as Espruino's does.
    getHealthStatus: (range?: unknown) => {
      if (!HEALTH_RANGES.includes(range as string)) throw dev.error(`Unknown range name ${JSON.stringify(range)}`);
      return dev.toDevice({ movement: 0, steps: 0, bpm: 0, bpmConfidence: 0, activity: 'UNKNOWN' });
    },
    getStepCount: () => st.stepCounter,
    setStepCount(n: unknown) {
      st.stepCounter = Math.trunc(Number(n)) | 0;
    },
    buzz: () => (st.buzzes++, dev.realm.promise((res) => dev.sched.queue(() => res()))),
    beep: () => dev.realm.promise((res) => dev.sched.queue(() => res())),
    setLCDPower(on: unknown) {
      st.lcdOn = !!on;
    },
    isLCDOn: () => st.lcdOn,
    setLocked() {},
    isLocked: () => false,
    // The parts of setUI bushu's app uses: a new UI removes the one before (its `remove`), as in
    // Espruino's setUI; `back` answers the button (EspruinoSim.pressButton), `touch` a tap.
    setUI(mode: unknown, cb?: unknown) {
      const o = (typeof mode === 'object' && mode !== null ? mode : { mode, btn: cb }) as Obj;
      replaceUi(dev, st, { mode: String(o.mode), back: o.back, btn: o.btn, touch: o.touch, remove: o.remove });
    },
    appRect: dev.toDevice({ x: 0, y: 24, w: 176, h: 152, x2: 175, y2: 175 }),
    loadWidgets() {
      for (const name of dev.storage.list(/\.wid\.js$/)) {
        try {
          dev.run(dev.storage.read(name) ?? '', name);
        } catch (e) {
          dev.report(e);
        }
      }
    },
    drawWidgets() {
      const W = ctx.WIDGETS as Obj;
      for (const k of Object.keys(W ?? {})) {
        const w = W[k] as Obj;
        if (w && typeof w.draw === 'function') dev.call(w.draw, w, [w]);
      }
    },
  };
  Object.assign(ctx, { Bangle, g, WIDGETS: dev.realm.obj() });
  installMenus(dev, st, screen);
  return ev;
}

function replaceUi(dev: Device, st: BangleState, ui: Ui | undefined): void {
  const old = st.ui;
  st.ui = ui;
  st.menu = undefined;
  st.prompt = undefined;
  for (const f of [ui?.back, ui?.btn, ui?.touch, ui?.remove]) if (typeof f === 'function') dev.held.push(f);
  if (old && typeof old.remove === 'function') dev.call(old.remove, undefined, []);
}

/**
 * E.showMenu and E.showPrompt as a test drives them: the menu's items and the prompt's buttons
 * are listed in BangleState and drawn on the screen, and EspruinoSim.choose(label) taps one.
 * Both replace the current UI, as on the watch; the menu's `back` (its "" entry) answers the
 * button. The prompt's promise is settled from the event queue, as Espruino settles promises: a
 * `then` callback runs as a task of its own after the tap (only `then` is simulated).
 */
function installMenus(dev: Device, st: BangleState, screen: Screen): void {
  const E = (dev.ctx as Obj).E as Obj;
  const show = (lines: string[]) => {
    screen.lastFrame = screen.strings;
    screen.strings = lines.slice();
    screen.calls++;
  };
  E.showMenu = (menu: unknown) => {
    if (menu === undefined) return replaceUi(dev, st, undefined);
    const m = menu as Obj;
    const head = (m[''] ?? {}) as Obj;
    const items = Object.keys(m).filter((k) => k !== '');
    const choices: Record<string, () => void> = {};
    for (const k of items) {
      const f = m[k];
      if (typeof f === 'function') choices[k] = () => dev.call(f, undefined, []);
    }
    replaceUi(dev, st, { mode: 'menu', back: head.back, choices });
    st.menu = { title: String(head.title ?? ''), items };
    show([st.menu.title, ...items]);
  };
  E.showPrompt = (message: unknown, options?: unknown) => {
    const o = (options ?? {}) as Obj;
    const buttons = (o.buttons ?? { Yes: true, No: false }) as Obj;
    const callbacks: unknown[] = [];
    const promise = dev.realm.obj();
    promise.then = (fn: unknown) => {
      if (typeof fn === 'function') callbacks.push(fn), dev.held.push(fn);
      return promise;
    };
    const choices: Record<string, () => void> = {};
    for (const k of Object.keys(buttons)) {
      choices[k] = () => {
        replaceUi(dev, st, undefined);
        for (const fn of callbacks) dev.sched.queue(() => dev.call(fn, undefined, [buttons[k]]));
      };
    }
    replaceUi(dev, st, { mode: 'prompt', choices });
    st.prompt = { message: String(message), title: String(o.title ?? ''), buttons: Object.keys(buttons) };
    show([st.prompt.title, st.prompt.message, ...st.prompt.buttons]);
    return promise;
  };
}

export interface PuckState {
  accelHz: number; // 0 when off
}

export function installPuck(dev: Device, st: PuckState): Events {
  const ev = new Events(dev);
  const RATES = [1.6, 12.5, 26, 52, 104, 208];
  const Puck: Obj = {
    ...ev.methods(() => Puck),
    accelOn(hz?: number) {
      const r = hz === undefined ? 12.5 : Number(hz);
      if (!RATES.includes(r)) throw dev.error(`Puck.accelOn: ${hz} Hz is not one of ${RATES.join(', ')}`);
      st.accelHz = r;
    },
    accelOff() {
      st.accelHz = 0;
    },
    getBatteryPercentage: () => 87,
    getTemperature: () => 21,
  };
  (dev.ctx as Obj).Puck = Puck;
  return ev;
}
