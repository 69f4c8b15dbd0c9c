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
}

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
    getHealthStatus: () => dev.toDevice({ steps: 0, bpm: 0, bpmConfidence: 0, movement: 0 }),
    buzz: () => (st.buzzes++, dev.realm.promise((res) => dev.sched.queue(() => res()))),
    beep: () => dev.realm.promise((res) => dev.sched.queue(() => res())),
    setLCDPower(on: unknown) {
      st.lcdOn = !!on;
    },
    isLCDOn: () => st.lcdOn,
    setLocked() {},
    isLocked: () => false,
    setUI() {},
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
  return ev;
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
