// The simulated world: one virtual UTC clock that every wearable follows, and the host's
// time zone (what the bridge's clock reads). FakeBindings moves the clock one connection
// interval per tick; tests and `bushu run --simulate` move it in bigger jumps.

import type { SimPeripheral } from './peripheral.ts';

export interface WorldDevice {
  /** noble's peripheral id: the device id (12 hex digits), as noble's HCI bindings use the address. */
  id: string;
  peripheral: SimPeripheral;
}

export class SimWorld {
  private list: WorldDevice[] = [];
  /**
   * Time stops here until raised. FakeBindings ticks the clock while the bridge waits on real
   * timers, so a loaded machine could carry the world past a moment a test needs to act before.
   */
  untilMs = Infinity;

  constructor(
    public now: number,
    /** The host's UTC offset (minutes east), changeable to simulate a zone or DST change. */
    public hostOffsetMin: number,
  ) {}

  add(id: string, peripheral: SimPeripheral): void {
    this.list.push({ id, peripheral });
    peripheral.advanceTo(this.now);
  }

  devices(): WorldDevice[] {
    return this.list;
  }

  device(id: string): WorldDevice | undefined {
    return this.list.find((d) => d.id === id);
  }

  advance(ms: number): void {
    this.advanceTo(this.now + ms);
  }

  /** Moves time forward in steps of at most `stepMs`, so wearables see every midnight in order. */
  advanceTo(to: number, stepMs = 3_600_000): void {
    const t = Math.min(to, this.untilMs);
    while (this.now < t) {
      this.now = Math.min(t, this.now + stepMs);
      for (const d of this.list) d.peripheral.advanceTo(this.now);
    }
  }

  /** The host clock the bridge uses in simulation. */
  clock() {
    return { now: () => this.now, offsetMin: () => this.hostOffsetMin };
  }
}
