import { describe, expect, it } from 'vitest';
import { EspruinoSim } from '../sim/espruino/index.ts';
import { convolve, crc32, sum, variance } from '../sim/espruino/natives.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const SVC = 'b5750001-7e4e-4b8a-9c2f-5a1d3e6f0b01';
const TODAY = 'b5750002-7e4e-4b8a-9c2f-5a1d3e6f0b01';

function bangle(files: Record<string, string> = {}, tz = 0): EspruinoSim {
  const sim = new EspruinoSim({ board: 'BANGLEJS2', startTime: T0, timezoneHours: tz });
  sim.install(files);
  sim.boot();
  return sim;
}

describe('EspruinoSim: language and globals', () => {
  it('lacks what Espruino lacks, and still runs for...of and classes', () => {
    const sim = bangle();
    expect(sim.eval('typeof Map + typeof Set + typeof Symbol + typeof Reflect')).toBe('undefinedundefinedundefinedundefined');
    expect(sim.eval('typeof Array.from + typeof Number.isInteger + typeof Math.imul + typeof Object.freeze')).toBe('undefinedundefinedundefinedundefined');
    expect(sim.eval('var s = 0; for (var v of [1, 2, 3]) s += v; class A { constructor() { this.k = s; } } new A().k')).toBe(6);
  });

  it('runs timers and intervals in virtual time order', () => {
    const sim = bangle();
    sim.eval(`var out = []; setTimeout(function(){ out.push('b'); }, 200);
      var id = setInterval(function(){ out.push('i'); if (out.length > 4) clearInterval(id); }, 150);
      setTimeout(function(){ out.push('a'); }, 100);`);
    sim.advance(99);
    expect(sim.eval('out.join("")')).toBe('');
    sim.advance(1000);
    expect(sim.eval('out.join("")')).toBe('aibii');
    expect(sim.eval('getTime()')).toBeCloseTo(T0 / 1000 + 1.099, 6);
  });

  it('queues emit until the current task ends, with at most 4 arguments', () => {
    const sim = bangle();
    sim.eval(`var got = []; Bangle.on('x', function(a,b,c,d,e){ got.push([a,b,c,d,e].join()); });
      Bangle.emit('x', 1, 2, 3, 4, 5); got.push('after');`);
    expect(sim.eval('got.join("|")')).toBe('after');
    sim.advance(0);
    expect(sim.eval('got.join("|")')).toBe('after|1,2,3,4,');
  });

  it('gives local time per E.setTimeZone, and follows setTime', () => {
    const sim = bangle({}, 8);
    expect(sim.eval('new Date().getHours()')).toBe(20);
    expect(sim.eval('new Date().getTimezoneOffset()')).toBe(-480);
    sim.eval('E.setTimeZone(-5)');
    expect(sim.eval('new Date().getHours()')).toBe(7);
    expect(sim.eval('new Date(2026, 0, 1, 0, 0).getTime()')).toBe(Date.UTC(2026, 0, 1, 5, 0));
    sim.setClock(Date.UTC(2027, 0, 1, 3, 0));
    expect(sim.eval('new Date().getFullYear()')).toBe(2026); // still Dec 31 locally
    expect(sim.eval('Date.now()')).toBe(Date.UTC(2027, 0, 1, 3, 0));
  });

  it('catches what a callback throws, logs it and carries on', () => {
    const sim = bangle();
    sim.eval(`setTimeout(function(){ throw new Error('boom'); }, 10); setTimeout(function(){ print('alive'); }, 20);`);
    sim.advance(50);
    expect(sim.errors.map((e) => e.message)).toEqual(['boom']);
    expect(sim.log).toEqual(['Uncaught Error: boom', 'alive']);
  });

  it('computes E.CRC32 like zlib', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
    expect(crc32(new Uint8Array([0, 0, 0, 0]))).toBe(0x2144df1c);
    expect(bangle().eval('E.CRC32("The quick brown fox jumps over the lazy dog")')).toBe(0x414fa339);
  });

  it('convolves with the second array wrapping around', () => {
    expect(convolve([1, 2, 3], [10, 20, 30], 0)).toBe(140);
    expect(convolve([1, 2, 3], [10, 20, 30], 1)).toBe(1 * 20 + 2 * 30 + 3 * 10);
    expect(convolve([1, 2, 3], [10, 20, 30], -1)).toBe(1 * 30 + 2 * 10 + 3 * 20);
    expect(convolve([1, 1, 1, 1, 1], [1, 2], 0)).toBe(1 + 2 + 1 + 2 + 1);
    expect(bangle().eval('E.convolve(new Int8Array([1,-1]), new Int16Array([5,7,9]), 2)')).toBe(9 - 5);
  });

  it('sums with E.sum, and E.variance gives the sum of squared deviations (not their mean)', () => {
    expect(sum(new Int16Array([3, -5, 10]))).toBe(8);
    expect(sum([])).toBe(0);
    expect(variance(new Int16Array([1, 2, 3, 6]), 3)).toBe(4 + 1 + 0 + 9);
    expect(bangle().eval('E.variance(new Int16Array([2,4,6]), 4)')).toBe(8);
    expect(bangle().eval('E.sum(new Int16Array([2,4,6]))')).toBe(12);
  });

  it('grows its memory estimate with allocated arrays', () => {
    const sim = bangle();
    const before = sim.memory().usage;
    sim.eval('var big = new Uint8Array(1200); var list = []; for (var i = 0; i < 100; i++) list.push({ n: i + 0.5 });');
    const after = sim.memory().usage;
    expect(after - before).toBeGreaterThan(100 + 300);
    expect(sim.memory().total).toBe(12000);
    expect(sim.eval('process.memory().usage')).toBe(after);
    expect(sim.eval('E.getSizeOf(new Uint8Array(120))')).toBe(12);
  });
});

describe('EspruinoSim: load, boot and power', () => {
  const boot = `E.on('kill', function(){ require('Storage').writeJSON('k.json', {n: counter}); });
    var counter = (require('Storage').readJSON('k.json', 1) || {n: 0}).n;`;

  it('load() fires kill, resets globals, runs boot code again; Storage persists', () => {
    const sim = bangle({ 'k.boot.js': boot, 'x.app.js': 'var appRan = true; counter += 10;' });
    sim.eval('counter += 5; var junk = 1;');
    sim.eval("load('x.app.js')");
    expect(sim.eval('typeof junk')).toBe('undefined');
    expect(sim.eval('appRan')).toBe(true);
    expect(sim.eval('counter')).toBe(15);
    sim.load();
    expect(sim.storage.readJSON('k.json', false)).toEqual({ n: 15 });
  });

  it('powerLoss() keeps only what was written, without kill', () => {
    const sim = bangle({ 'k.boot.js': boot });
    sim.eval('counter = 99;');
    sim.powerLoss();
    expect(sim.storage.read('k.json')).toBeUndefined();
    expect(() => sim.eval('1')).toThrow(/off/);
    const again = new EspruinoSim({ board: 'BANGLEJS2', startTime: T0, storage: sim.storage });
    again.boot();
    expect(again.eval('counter')).toBe(0);
  });

  it('collects bleServices from boot files, in bootloader order', () => {
    const sim = bangle({
      'b.boot.js': `bleServices['${SVC}'] = { '${TODAY}': { value: [1,2,3], readable: true, notify: true } };`,
      'a.5.boot.js': 'var order = ["a5"]; bleServiceOptions.uart = false;',
      'c.boot.js': 'order.push("c");',
    });
    expect(sim.eval('order.join()')).toBe('a5,c');
    expect(sim.eval('typeof bleServices')).toBe('undefined');
    const c = sim.ble.connect();
    expect(c.services()).toEqual([{ uuid: SVC.replace(/-/g, ''), characteristics: [{ uuid: TODAY.replace(/-/g, ''), properties: ['read', 'notify'] }] }]);
    expect([...c.read(SVC, TODAY)]).toEqual([1, 2, 3]);
  });

  it('runs a Puck .bootcde and delivers raw accel only after accelOn', () => {
    const sim = new EspruinoSim({ board: 'PUCKJS2', startTime: T0 });
    sim.install({ '.bootcde': "var n = 0, last; Puck.on('accel', function(e){ n++; last = e.acc.z; });" });
    sim.boot();
    sim.feedAccel([{ t: T0 + 10, x: 0, y: 0, z: 8192 }]);
    sim.advance(20);
    expect(sim.eval('n')).toBe(0);
    sim.eval('Puck.accelOn(12.5)');
    sim.feedAccel([{ t: T0 + 100, x: 0, y: 0, z: 8100 }]);
    sim.advance(100);
    expect(sim.eval('n + "," + last')).toBe('1,8100');
    expect(sim.memory().total).toBe(2630);
  });

  it('gives Bangle accel in g with mag and a button watch', () => {
    const sim = bangle({ 'w.app.js': "var a; Bangle.on('accel', function(e){ a = e; }); setWatch(function(){ digitalWrite(LED1, 1); }, BTN, {repeat:true, edge:'rising'});" });
    sim.load('w.app.js');
    sim.feedAccel([{ t: T0 + 80, x: 0, y: 0, z: -8192 }]);
    sim.advance(100);
    expect(sim.eval('a.z + "," + a.mag')).toBe('-1,1');
    sim.pressButton();
    sim.advance(200);
    expect(sim.leds.LED1).toBe(true);
  });
});

describe('EspruinoSim: BLE', () => {
  const services = `NRF.setServices({ '${SVC}': { '${TODAY}': { value: [0], maxLen: 13, readable: true, notify: true } } }, {advertise: ['${SVC}']});`;

  it('advertises its name and service UUIDs', () => {
    const sim = bangle({ 'a.boot.js': services.replace('NRF.setServices(', 'bleServices = (').replace(", {advertise: ['" + SVC + "']});", ');') });
    sim.eval(services);
    const adv = sim.ble.advertising();
    expect(adv.serviceUuids).toEqual([SVC.replace(/-/g, '')]);
    expect(adv.name).toMatch(/^Bangle\.js [0-9a-f]{4}$/);
  });

  it('notifies a subscribed central after advance(), in order, and refuses over-long values', () => {
    const sim = bangle();
    sim.eval(services);
    const c = sim.ble.connect();
    const got: number[][] = [];
    c.subscribe(SVC.replace(/-/g, ''), TODAY.toUpperCase(), () => got.push([-1]));
    expect(() => c.subscribe(SVC, TODAY, () => {})).not.toThrow();
    c.subscribe(SVC, TODAY, (d) => got.push([...d]));
    sim.eval(`NRF.updateServices({ '${SVC}': { '${TODAY}': { value: [1], notify: true } } });
      NRF.updateServices({ '${SVC}': { '${TODAY}': { value: [2, 2], notify: true } } });`);
    expect(got).toEqual([]);
    sim.advance(0);
    expect(got).toEqual([[1], [2, 2]]);
    expect(() => sim.eval(`NRF.updateServices({ '${SVC}': { '${TODAY}': { value: new Uint8Array(14), notify: true } } })`)).toThrow(/maxLen 13/);
  });

  it('queues setServices while connected until the disconnect, like Espruino', () => {
    const sim = bangle();
    sim.eval(services);
    const c = sim.ble.connect();
    sim.eval(`NRF.setServices({ '0xFEE7': { '0xFEA1': { value: [1], readable: true } } });`);
    expect(sim.log).toContain('BLE Connected, queueing BLE restart for later');
    expect(c.services()[0].uuid).toBe(SVC.replace(/-/g, ''));
    expect(() => sim.eval(`NRF.updateServices({ '${SVC}': { '${TODAY}': { value: [3] } } })`)).toThrow(/until BLE restart/);
    c.disconnect();
    expect(sim.ble.connect().services()[0].uuid).toBe('fee7');
  });

  it('delivers writes as queued onWrite events with an ArrayBuffer, and connect events', () => {
    const sim = bangle();
    sim.eval(`var w = [], ev = []; NRF.on('connect', function(){ ev.push('c'); }); NRF.on('disconnect', function(){ ev.push('d'); });
      NRF.setServices({ '0x180F': { '0x2A19': { value: [87], readable: true }, '0xFEA2': { writable: true, maxLen: 4, onWrite: function(e){ w.push(new Uint8Array(e.data).join()); } } } });`);
    const c = sim.ble.connect();
    c.write('180f', 'fea2', new Uint8Array([1, 2]));
    expect(() => c.write('180f', 'fea2', new Uint8Array(5))).toThrow(/maxLen/);
    expect(() => c.write('180f', '2a19', new Uint8Array(1))).toThrow(/not writable/);
    sim.advance(0);
    expect(sim.eval('w.join("|")')).toBe('1,2');
    c.disconnect();
    sim.advance(0);
    expect(sim.eval('ev.join()')).toBe('c,d');
  });

  it('models throughput with a notification interval', () => {
    const sim = bangle();
    sim.eval(services);
    sim.ble.link.notificationIntervalMs = 10;
    const c = sim.ble.connect();
    const times: number[] = [];
    c.subscribe(SVC, TODAY, () => times.push(sim.now() - T0));
    sim.eval(`for (var i = 0; i < 3; i++) NRF.updateServices({ '${SVC}': { '${TODAY}': { value: [i + 1], notify: true } } });`);
    sim.advance(100);
    expect(times).toEqual([0, 10, 20]);
  });
});
