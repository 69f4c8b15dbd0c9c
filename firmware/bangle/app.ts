// bushu.app.js: today, the last 7 closed days and the last sync. The button leaves the app, as
// in every Bangle.js 2 app (Bangle.setUI's back). A tap opens a menu; erasing the signing key is
// an entry there, behind a prompt that must be answered Yes: the only way to allow a new SET_KEY,
// because it has to happen on the watch itself, and days after it are unsigned until one comes.

import { dateString, localDay, localHour, MS_PER_MINUTE } from '../../shared/days.ts';
import type { Core } from '../core/bushu.ts';
import type { EspruinoE, Graphics } from '../espruino.ts';

declare const global: any;
declare const g: Graphics;
declare const Bangle: any;
declare const E: EspruinoE & { showMenu(menu: any): void; showPrompt(message: string, options: any): Promise<boolean> };
declare function load(file?: string): void;

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
  g.drawString('tap: menu', 4, 160);
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

/** The main screen: redrawn once a minute until another screen (the menu, a prompt) replaces it. */
function main(): void {
  const timer = setInterval(draw, 60000);
  Bangle.setUI({ mode: 'custom', back: () => load(), touch: menu, remove: () => clearInterval(timer) });
  draw();
}

function menu(): void {
  E.showMenu({
    '': { title: 'bushu', back: main },
    'Erase key': confirmErase,
  });
}

function confirmErase(): void {
  E.showPrompt('Erase the signing key? Days after are unsigned until a new key is set.', {
    title: 'Erase key',
    buttons: { No: false, Yes: true },
  }).then((yes) => {
    const b: Core | undefined = global.bushu;
    if (yes && b) b.onDemand().resetKey();
    main();
  });
}

Bangle.loadWidgets();
main();
