// Harness only (never product code): `node --import clock-shim.mjs` makes a process's Date
// read the fault harness's world clock, 8 bytes (float64 LE, UTC ms) in the file named by
// BUSHU_FAULTS_CLOCK, so `bushu serve` runs in the same simulated time as the bridge child.
// Node's own Date header ignores a replaced Date, so responses get theirs from here too.
import { closeSync, openSync, readSync } from 'node:fs';
import http from 'node:http';

const file = process.env.BUSHU_FAULTS_CLOCK;
if (file) {
  const RealDate = Date;
  const buf = Buffer.alloc(8);
  const fd = openSync(file, 'r');
  const now = () => (readSync(fd, buf, 0, 8, 0) === 8 ? Math.floor(buf.readDoubleLE(0)) : RealDate.now());
  class WorldDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(now());
      else super(...args);
    }
    static now() {
      return now();
    }
  }
  globalThis.Date = WorldDate;
  process.on('exit', () => closeSync(fd));
  const writeHead = http.ServerResponse.prototype.writeHead;
  http.ServerResponse.prototype.writeHead = function (...args) {
    this.sendDate = false;
    if (!this.hasHeader('date')) this.setHeader('date', new RealDate(now()).toUTCString());
    return writeHead.apply(this, args);
  };
}
