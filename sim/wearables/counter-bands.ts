// Plain fakes of the wearables that only expose today's cumulative count: a WeChat 0xFEE7
// wristband (FEA1) and an InfiniTime watch (motion service step count). They walk on the same
// seeded schedule as the bushu watches. Faults: a reboot (the count restarts at 0) and a late
// midnight reset (the count of yesterday still shows for `resetDelayMs` after midnight).

import { NOBLE_UUID as N, encodeWeChatAddress, encodeWeChatSteps, normUuid } from '../../shared/protocol/index.ts';
import { MS_PER_DAY, localMs } from '../../shared/days.ts';
import { ConnectionBase, addressOf, type SimConnection, type SimPeripheral, type SimService } from './peripheral.ts';
import { stepsBetween } from './schedule.ts';

export interface BandOptions {
  deviceId: string;
  seed: number;
  offsetMin: number;
  startUtcMs: number;
  /** The band resets this long after its local midnight (0: on the dot). */
  resetDelayMs?: number;
}

abstract class CounterBand implements SimPeripheral {
  readonly deviceId: string;
  count = 0;
  private localNow: number;
  private countedDay: number;
  private conn: BandConnection | null = null;

  constructor(protected o: BandOptions) {
    this.deviceId = o.deviceId;
    this.localNow = localMs(o.startUtcMs, o.offsetMin);
    this.countedDay = Math.floor((this.localNow - (o.resetDelayMs ?? 0)) / MS_PER_DAY);
  }

  abstract name(): string;
  abstract serviceUuids(): string[];
  abstract services(): SimService[];
  abstract readChar(characteristic: string): Uint8Array;

  advertising() {
    return this.conn?.connected ? null : { name: this.name(), serviceUuids: this.serviceUuids(), address: addressOf(this.deviceId) };
  }

  advanceTo(worldUtcMs: number): void {
    const to = localMs(worldUtcMs, this.o.offsetMin);
    const delay = this.o.resetDelayMs ?? 0;
    // Step through the reset moment, so steps before it go to the old count.
    while (this.localNow < to) {
      const resetAt = (this.countedDay + 1) * MS_PER_DAY + delay;
      const until = Math.min(to, resetAt);
      this.count += stepsBetween(this.o.seed, this.localNow, until);
      this.localNow = until;
      if (until === resetAt) {
        this.count = 0;
        this.countedDay++;
      }
    }
  }

  reboot(): void {
    this.count = 0;
    this.conn?.drop('band rebooted');
  }

  connect(): SimConnection {
    this.conn = new BandConnection(this);
    return this.conn;
  }
}

class BandConnection extends ConnectionBase implements SimConnection {
  constructor(private band: CounterBand) {
    super();
  }
  services(): SimService[] {
    return this.band.services();
  }
  read(_service: string, characteristic: string): Uint8Array {
    return this.band.readChar(normUuid(characteristic));
  }
  write(): void {
    throw new Error('not writable');
  }
}

export class SimulatedWeChatBand extends CounterBand {
  name() {
    return 'band ' + this.deviceId.slice(8);
  }
  serviceUuids() {
    return [N.WECHAT_SERVICE];
  }
  services(): SimService[] {
    return [{ uuid: N.WECHAT_SERVICE, characteristics: [{ uuid: N.WECHAT_STEPS, properties: ['read', 'indicate'] }, { uuid: N.WECHAT_ADDRESS, properties: ['read'] }] }];
  }
  readChar(c: string): Uint8Array {
    if (c === N.WECHAT_STEPS) return encodeWeChatSteps(this.count);
    if (c === N.WECHAT_ADDRESS) return encodeWeChatAddress(this.deviceId);
    throw new Error('not readable: ' + c);
  }
}

export class SimulatedInfiniTime extends CounterBand {
  name() {
    return 'InfiniTime';
  }
  serviceUuids() {
    return [N.INFINITIME_MOTION_SERVICE];
  }
  services(): SimService[] {
    return [{ uuid: N.INFINITIME_MOTION_SERVICE, characteristics: [{ uuid: N.INFINITIME_STEP_COUNT, properties: ['read', 'notify'] }] }];
  }
  readChar(c: string): Uint8Array {
    if (c !== N.INFINITIME_STEP_COUNT) throw new Error('not readable: ' + c);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, this.count, true);
    return b;
  }
}
