// What the sync profiles need from the rest of the bridge, as small structural interfaces so
// tests pass in-memory fakes and the real Store fits without an adapter.

import type { Logger } from 'pino';
import type { DayInput, QuarantineInput, Source } from '../store/types.ts';

export interface SyncStore {
  upsertDevice(d: { id: string; name?: string; source: Source; firmware?: string | null }): void;
  cursor(device: string): number;
  /** The watch history epoch the cursor counts in (null: not known). */
  epoch(device: string): number | null;
  /** Records the epoch; `restartCursor` sets the cursor back to 0 (a new history). */
  setEpoch(device: string, epoch: number, restartCursor: boolean): void;
  /** `epoch`: the watch history epoch the days were read under (null: not known), see Store.commitSync. */
  commitSync(device: string, days: DayInput[], cursor: number | null, syncedAt: number, quarantined?: QuarantineInput[], epoch?: number | null): { changedDays: number; queued: number };
}

/** The host's clock and time zone, injected so tests and the simulator control them. */
export interface HostClock {
  now(): number;
  /** The host's current UTC offset in minutes east (changes with DST). */
  offsetMin(): number;
}

export const systemClock: HostClock = {
  now: () => Date.now(),
  offsetMin: () => -new Date().getTimezoneOffset(),
};

export interface SyncProgress {
  device: string;
  /** History records received so far in this transfer. */
  received: number;
  /** Records the watch said it holds after the cursor (from Today's seq), when known. */
  expected: number;
}

/** Counters the CLI prints and the tests assert on. Bad payloads are counted here, by kind. */
export class SyncMetrics {
  syncs = 0;
  failures = 0;
  records = 0;
  badPayloads = 0;
  duplicates = 0;
  restarts = 0;
  timeWrites = 0;
  /** History records kept aside (quarantined) because they failed the day-record contract. */
  quarantined = 0;
  byReason: Record<string, number> = {};

  bad(reason: string): void {
    this.badPayloads++;
    const k = reason.split(':')[0];
    this.byReason[k] = (this.byReason[k] ?? 0) + 1;
  }
}

export interface SyncContext {
  store: SyncStore;
  clock: HostClock;
  log: Logger;
  metrics: SyncMetrics;
  onProgress?: (p: SyncProgress) => void;
  /** Transfers restarted after a bad payload before the connection gives up (then the pipeline backs off). */
  maxRestarts?: number;
  /** Longest silence inside a history transfer. */
  transferTimeoutMs?: number;
  /**
   * When set (a bridge that delivers), watch clocks are set only from the host clock as checked
   * against the services' (time-sync.ts ClockCheck); without, from the host clock as it is.
   */
  clockCheck?: import('./time-sync.ts').ClockCheck;
  /** Where counter profiles keep their state (cumulative.ts). */
  counterState?: import('./counter-state.ts').CounterStateStore;
}

export interface SyncResult {
  device: string;
  source: Source;
  records: number;
  days: number;
  changedDays: number;
  queued: number;
  cursor: number;
  restarts: number;
  /** Records of this sync kept aside in quarantine (bushu profile). */
  quarantined?: number;
}

/** A payload that broke the protocol: counted and logged, and the device's sync restarts. */
export class BadPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadPayloadError';
  }
}
