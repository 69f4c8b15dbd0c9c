// bushu.wid.js: today's steps and a bar of progress towards the goal, redrawn once a minute
// (the step count itself only moves every 2.56 s, and a widget redraw costs more than that).
// Reads the boot file's published core; without it, it says so rather than showing zero.

import type { Core } from '../core/bushu.ts';
import type { Graphics, Widget } from '../espruino.ts';

declare const WIDGETS: Record<string, Widget>;
declare const global: any;
declare const g: Graphics;
declare const Bangle: any;

const WIDTH = 44;

const w: Widget = {
  area: 'tl',
  width: WIDTH,
  draw: function (this: Widget) {
    const b: Core | undefined = global.bushu; // typed: the build may then rename the core's names
    const x = this.x || 0;
    const y = this.y || 0;
    g.reset().clearRect(x, y, x + WIDTH - 1, y + 23);
    g.setFont('6x8').setFontAlign(0, -1);
    if (!b) {
      g.drawString('bushu?', x + WIDTH / 2, y + 4);
      return;
    }
    const steps = b.counter.steps;
    const goal = b.counter.goal;
    g.drawString('' + steps, x + WIDTH / 2, y + 4);
    const fill = steps >= goal ? WIDTH - 4 : Math.floor(((WIDTH - 4) * steps) / goal);
    g.drawRect(x + 1, y + 15, x + WIDTH - 2, y + 20);
    if (fill > 0) g.fillRect(x + 2, y + 16, x + 1 + fill, y + 19);
  },
};
WIDGETS.bushu = w;
setInterval(() => {
  if (Bangle.isLCDOn()) w.draw();
}, 60000);
