// The Bangle app among the other apps of a watch, in EspruinoSim: bushu's count is the watch's
// (what a third-party step reader, a Gadgetbridge-like boot file and the Health app's 'health'
// record see), and the app's button leaves the app while erasing the key takes a menu and a Yes.
import { describe, expect, it } from 'vitest';
import { concat, still, walk } from '../sim/signals.ts';
import { bangle, play, puck, steps } from './kits/firmware/harness.ts';
import { Link } from './kits/firmware/link.ts';
import { encodeSetKey, StatusCode } from '../shared/protocol/index.ts';

// 09:02 UTC: the walk below stays inside the 09:00-09:10 block, and the next block starts at 09:10.
const T0 = Date.UTC(2026, 10, 23, 9, 2, 0);
const BLOCK_MS = 600000;

/** A step reader as a third-party clock or widget writes one: public Bangle API only. */
const READER_APP = `
var seen = global.seen = { events: [] };
Bangle.on('step', function (n) { seen.events.push(n); });
function show() {
  g.clear();
  g.drawString('Day ' + Bangle.getHealthStatus('day').steps);
  g.drawString('Total ' + Bangle.getStepCount());
  g.flip();
}
Bangle.setUI({ mode: 'custom', back: function () { load(); } });
show();
setInterval(show, 10000);
`;

/** What Gadgetbridge's android.boot.js does with the firmware's 'health' event (it runs before bushu's name). */
const GADGETBRIDGE_BOOT = `
global.gbSent = [];
Bangle.on('health', function (h) { gbSent.push(h.steps); });
`;

function install(sim: Awaited<ReturnType<typeof bangle>>): void {
  sim.install({ 'reader.app.js': READER_APP, 'android.boot.js': GADGETBRIDGE_BOOT });
}

describe('one step count on the watch', () => {
  it('a third-party reader sees bushu\'s steps: getStepCount, getHealthStatus("day"), the step event', async () => {
    const sim = await bangle({ startTime: T0 });
    install(sim);
    sim.load('reader.app.js');
    play(sim, walk({ seed: 5, steps: 200, cadence: 1.9 }).rec, sim.now() + 1000);
    sim.advance(10000);
    const n = steps(sim);
    expect(n).toBeGreaterThan(150);
    expect(sim.eval('Bangle.getStepCount()')).toBe(n);
    expect(sim.eval('Bangle.getHealthStatus("day").steps')).toBe(n);
    expect(sim.eval('Bangle.getHealthStatus().steps')).toBe(n); // this 10-minute block
    expect(sim.screen.lastFrame).toEqual([`Day ${n}`, `Total ${n}`]);
    const events = sim.eval('seen.events') as number[];
    expect(events.length).toBeGreaterThan(1);
    expect(events[events.length - 1]).toBe(n); // each event carries the running total
    expect(events.every((v, i) => i === 0 || v > events[i - 1])).toBe(true);
    expect(sim.bangleState.options.stepCounterDisabled).toBe(true); // the built-in counter adds nothing
    expect(sim.errors).toEqual([]);
  });

  it('the health event of a 10-minute block carries its steps, for the Health app and Gadgetbridge', async () => {
    const sim = await bangle({ startTime: T0 });
    install(sim);
    sim.load();
    play(sim, walk({ seed: 6, steps: 150, cadence: 1.8 }).rec, sim.now() + 1000);
    const first = steps(sim);
    expect(first).toBeGreaterThan(100);
    // The block ends at 09:10; the firmware sends 'health' just after.
    sim.advance(Date.UTC(2026, 10, 23, 9, 10, 1) - sim.now());
    sim.health();
    expect(sim.eval('gbSent')).toEqual([first]);
    expect(sim.eval('Bangle.getHealthStatus("last").steps')).toBe(first);
    expect(sim.eval('Bangle.getHealthStatus("10min").steps')).toBe(0);
    // A quiet block next: zero, while the day keeps its total.
    sim.advance(BLOCK_MS);
    sim.health();
    expect(sim.eval('gbSent')).toEqual([first, 0]);
    expect(sim.eval('Bangle.getHealthStatus("day").steps')).toBe(first);
    expect(sim.errors).toEqual([]);
  });

  it('keeps the firmware counter across app switches, and gives the day back after one', async () => {
    const sim = await bangle({ startTime: T0 });
    install(sim);
    sim.load('reader.app.js');
    play(sim, walk({ seed: 7, steps: 120, cadence: 1.9 }).rec, sim.now() + 1000);
    const before = steps(sim);
    sim.load(); // back to the clock: a fresh interpreter, the boot code again
    expect(sim.eval('Bangle.getStepCount()')).toBe(before);
    expect(sim.eval('Bangle.getHealthStatus("day").steps')).toBe(before);
    play(sim, concat([still(1, 3), walk({ seed: 8, steps: 120, cadence: 1.9 })]).rec, sim.now() + 1000);
    const after = steps(sim);
    expect(after).toBeGreaterThan(before + 60);
    expect(sim.eval('Bangle.getStepCount()')).toBe(after);
    expect(sim.eval('Bangle.getHealthStatus("day").steps')).toBe(after);
    // An app that resets the firmware counter (as some do at their start) is not undone; ours goes on.
    sim.eval('Bangle.setStepCount(0)');
    expect(sim.eval('Bangle.getHealthStatus("day").steps')).toBe(after);
    expect(sim.errors).toEqual([]);
  });

  it('an unknown range still throws, as the firmware\'s own getHealthStatus does', async () => {
    const sim = await bangle({ startTime: T0 });
    expect(() => sim.eval('Bangle.getHealthStatus("week")')).toThrow(/Unknown range/);
  });
});

describe('the app\'s button and the key', () => {
  const KEY = new Uint8Array(32).fill(7);

  /** A clock to come back to, as every watch has. */
  const CLOCK = { 'clock.app.js': 'g.clear(); g.drawString("Clock"); g.flip();', 'setting.json': '{"clock":"clock.app.js"}' };

  async function withKey() {
    const sim = await bangle({ startTime: T0 });
    sim.install(CLOCK);
    const link = new Link(sim);
    expect(link.control(encodeSetKey(KEY))?.status).toBe(StatusCode.OK);
    link.close();
    sim.load('bushu.app.js');
    return sim;
  }

  it('the button leaves the app, as in every app, and erases nothing', async () => {
    const sim = await withKey();
    expect(sim.bangleState.ui?.mode).toBe('custom');
    expect(sim.screen.lastFrame.some((s) => s.startsWith('Today'))).toBe(true);
    sim.pressButton();
    sim.advance(500);
    sim.pressButton();
    sim.advance(500);
    expect(sim.storage.readBytes('bushu.key')).toEqual(KEY);
    expect(sim.screen.lastFrame).toEqual(['Clock']); // left for the clock
    expect(sim.errors).toEqual([]);
  });

  it('erasing the key: a tap for the menu, "Erase key", then a prompt; No keeps it, Yes erases it', async () => {
    const sim = await withKey();
    sim.touch();
    expect(sim.bangleState.menu?.items).toEqual(['Erase key']);
    sim.choose('Erase key');
    expect(sim.bangleState.prompt?.buttons).toEqual(['No', 'Yes']);
    expect(sim.bangleState.prompt?.message).toMatch(/unsigned/);
    sim.choose('No');
    sim.advance(100);
    expect(sim.storage.readBytes('bushu.key')).toEqual(KEY);
    expect(sim.bangleState.ui?.mode).toBe('custom'); // back on the main screen
    sim.touch();
    sim.choose('Erase key');
    sim.choose('Yes');
    sim.advance(100);
    expect(sim.storage.read('bushu.key')).toBeUndefined();
    expect(sim.screen.lastFrame).toContain('key none');
    expect(new Link(sim).control(encodeSetKey(new Uint8Array(32).fill(9)))?.status).toBe(StatusCode.OK);
    expect(sim.errors).toEqual([]);
  });

  it('the menu\'s back returns to the main screen, whose minute redraw was stopped meanwhile', async () => {
    const sim = await withKey();
    sim.touch();
    expect(sim.bangleState.ui?.mode).toBe('menu');
    expect(sim.screen.strings).toEqual(['bushu', 'Erase key']);
    sim.advance(120000); // the main screen's minute redraw would draw over the menu
    expect(sim.screen.strings.some((s) => s.startsWith('Today'))).toBe(false);
    sim.pressButton(); // the menu's back
    sim.advance(200);
    expect(sim.bangleState.ui?.mode).toBe('custom');
    expect(sim.screen.lastFrame.some((s) => s.startsWith('Today'))).toBe(true);
    expect(sim.storage.readBytes('bushu.key')).toEqual(KEY);
    expect(sim.errors).toEqual([]);
  });
});

describe('the Puck\'s button and the key', () => {
  it('a click keeps the key; holding 3 s or more erases it and blinks red; SET_KEY is then accepted', async () => {
    const sim = await puck({ startTime: T0 });
    const KEY = new Uint8Array(32).fill(3);
    const link = new Link(sim);
    expect(link.control(encodeSetKey(KEY))?.status).toBe(StatusCode.OK);
    link.close();
    sim.pressButton(); // a click
    sim.advance(500);
    sim.pressButton(2500); // held, but not long enough
    sim.advance(3000);
    expect(sim.storage.readBytes('bushu.key')).toEqual(KEY);
    expect(sim.leds.LED1).toBe(false);
    sim.pressButton(3200);
    sim.advance(3300); // released: the key goes, the red LED lights for half a second
    expect(sim.storage.read('bushu.key')).toBeUndefined();
    expect(sim.leds.LED1).toBe(true);
    sim.advance(600);
    expect(sim.leds.LED1).toBe(false);
    // Recovering: a watch without a key accepts SET_KEY (or re-flash with --key).
    expect(new Link(sim).control(encodeSetKey(new Uint8Array(32).fill(4)))?.status).toBe(StatusCode.OK);
    expect(sim.errors).toEqual([]);
  });
});
