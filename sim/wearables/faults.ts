// Link faults FakeBindings injects. Each is a shot that fires `times` times, each time after
// `after` matching events (history notifications; discovery requests for the discovery faults),
// so a test can say "drop the link after the 5th history record, once" and the sync that
// follows must still complete.

export class Shot {
  private left: number;
  constructor(
    public times: number,
    private after = 0,
  ) {
    this.left = after;
  }
  /** Counts one event; true when the fault fires on it. */
  fire(): boolean {
    if (this.times <= 0) return false;
    if (this.left > 0) {
      this.left--;
      return false;
    }
    this.times--;
    this.left = this.after;
    return true;
  }
}

export interface LinkFaults {
  /** The link drops when discovery is requested. */
  dropDuringDiscovery?: Shot;
  /** Discovery is never answered (only the bridge's timeout ends it). */
  hangDuringDiscovery?: Shot;
  /** The link drops after a history notification. */
  dropDuringHistory?: Shot;
  /** A history notification is replaced by garbage (wrong length, unknown type). */
  garbage?: Shot;
  /** A history notification is cut to half its length. */
  truncate?: Shot;
  /** A history notification is sent twice. */
  duplicate?: Shot;
  /** A history notification swaps places with the one before it. */
  reorder?: Shot;
}

export type FaultKind = keyof LinkFaults;
