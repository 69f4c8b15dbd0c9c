// The one clock of the demo. Watches, bridge (syncedAt, webhook timestamps) and services (grace
// period, timestamp tolerance) all read the simulated world's clock, so a week simulated in
// seconds looks live to each of them. The world moves it (FakeBindings one BLE connection
// interval per tick, the demo in bigger jumps between walks); after the week, when the demo keeps
// serving the dashboard, it runs on at real speed from where the week ended.

export interface WorldClock {
  readonly now: number;
}

export class DemoClock {
  private liveSince: number | undefined; // real ms when the clock started running by itself
  private liveFrom = 0;

  constructor(
    private readonly world: WorldClock,
    private readonly realNow: () => number = Date.now,
  ) {}

  now = (): number => (this.liveSince === undefined ? this.world.now : this.liveFrom + (this.realNow() - this.liveSince));

  /** From now on, time passes at real speed (serving the dashboard after the simulated week). */
  goLive(): void {
    if (this.liveSince !== undefined) return;
    this.liveFrom = this.world.now;
    this.liveSince = this.realNow();
  }
}
