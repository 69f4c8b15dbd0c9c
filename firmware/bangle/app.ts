// bushu.app.js: today, the last 7 closed days and the last sync. The button asks to erase the
// signing key (press again within 3 s to confirm): the only way to allow a new SET_KEY, because
// it has to happen on the watch itself.

import { dateString, localDay, localHour, MS_PER_MINUTE } from '../../shared/days.ts';
import type { Core } from '../core/bushu.ts';
import type { Graphics, WatchEvent } from '../espruino.ts';

declare const global: any;
declare const g: Graphics;
declare const Bangle: any;
declare const BTN: unknown;
declare function setWatch(fn: (e: WatchEvent) => void, pin: unknown, opts: unknown): number;

const CONFIRM_MS = 3000;

function pad(n: number): string {
  return n < 10 ? '0' + n : '' + n;
}

function when(sec: number, offsetMin: number): string {
  if (sec === 0) return 'never';
  const ms = sec * 1000;
  const min = Math.floor((ms + offsetMin * MS_PER_MINUTE) / MS_PER_MINUTE) % 60;
  return dateString(localDay(ms, offsetMin)) + ' ' + pad(localHour(ms, offsetMin)) + ':' + pad(min < 0 ? min + 60 : min);
}

function draw(): void {
  const b: Core | undefined = global.bushu; // typed: the build may then rename the core's names
  g.clear();
  Bangle.drawWidgets();
  g.reset().setFontAlign(-1, -1).setFont('6x8', 2);
  if (!b) {
    g.drawString('bushu boot', 4, 30);
    g.drawString('not running', 4, 50);
    return;
  }
  g.drawString('Today ' + b.counter.steps, 4, 28);
  g.setFont('6x8');
  g.drawString('goal ' + b.counter.goal, 4, 48);
  g.drawString('sync ' + when(b.historyFile.lastSync, b.counter.offset), 4, 136);
  let x;
  try {
    x = b.onDemand();
  } catch (e) {
    // bushu.ext.js missing (a partial install): today still shows, the rest says why.
    g.drawString('history unavailable', 4, 62);
    return;
  }
  // Always there in the Bangle's build of the on-demand half (firmware/bangle/ext.ts).
  const days = x.recent ? x.recent(7) : [];
  for (let i = 0; i < days.length; i++) g.drawString(dateString(days[i][0]) + '  ' + days[i][1], 4, 62 + i * 10);
  g.drawString('key ' + (x.signer.key ? 'set' : 'none'), 4, 148);
  g.flip();
}

let armed = 0;
setWatch(
  () => {
    const b: Core | undefined = global.bushu;
    const now = Date.now();
    if (b && armed > 0 && now - armed < CONFIRM_MS) {
      b.onDemand().resetKey();
      armed = 0;
      draw();
      return;
    }
    armed = now;
    g.reset().setFont('6x8').setFontAlign(-1, -1).drawString('Erase key? Press again', 4, 160);
    g.flip();
  },
  BTN,
  { repeat: true, edge: 'falling', debounce: 50 },
);

Bangle.loadWidgets();
draw();
setInterval(draw, 60000);
