// A bridge's-eye view of the firmware's BLE service in EspruinoSim, for tests and the benchmark:
// writes, reads and collected notifications, decoded with shared/protocol.

import type { EspruinoSim, SimConnection } from '../../../sim/espruino/index.ts';
import { decodeHistoryFrame, decodeStatus, encodeSendFrom, encodeSendOpen, UUID, type HistoryFrame, type Status } from '../../../shared/protocol/index.ts';

export class Link {
  readonly conn: SimConnection;
  readonly history: Uint8Array[] = [];
  readonly statuses: Status[] = [];
  readonly today: Uint8Array[] = [];
  private readonly sim: EspruinoSim;

  constructor(sim: EspruinoSim) {
    this.sim = sim;
    this.conn = sim.ble.connect();
    this.conn.subscribe(UUID.SERVICE, UUID.HISTORY, (d) => this.history.push(d));
    this.conn.subscribe(UUID.SERVICE, UUID.TODAY, (d) => this.today.push(d));
    this.conn.subscribe(UUID.SERVICE, UUID.STATUS, (d) => {
      const s = decodeStatus(d);
      if (!s.ok) throw new Error(s.error);
      this.statuses.push(s.value);
    });
    sim.advance(10);
  }

  /** Disconnects (a load() while connected keeps the old GATT table until the link drops). */
  close(): void {
    this.conn.disconnect();
    this.sim.advance(10);
  }

  /** Writes and lets the watch answer; returns the Status it notified. */
  write(svc: string, chr: string, data: Uint8Array): Status | undefined {
    const before = this.statuses.length;
    this.conn.write(svc, chr, data);
    this.sim.advance(50);
    return this.statuses.length > before ? this.statuses[this.statuses.length - 1] : undefined;
  }

  control(data: Uint8Array): Status | undefined {
    return this.write(UUID.SERVICE, UUID.CONTROL, data);
  }

  read(svc: string, chr: string): Uint8Array {
    return this.conn.read(svc, chr);
  }

  /** SEND_FROM seq (SEND_OPEN with `open`), then runs until End: every frame received, decoded, and the raw frames. */
  sync(seq: number, open = false): { frames: HistoryFrame[]; raw: Uint8Array[] } {
    this.history.length = 0;
    this.control(open ? encodeSendOpen(seq) : encodeSendFrom(seq));
    for (let i = 0; i < 2000 && !this.ended(); i++) this.sim.advance(100);
    const raw = this.history.slice();
    const frames = raw.map((d) => {
      const f = decodeHistoryFrame(d);
      if (!f.ok) throw new Error(f.error);
      return f.value;
    });
    return { frames, raw };
  }

  private ended(): boolean {
    const last = this.history[this.history.length - 1];
    return last !== undefined && last[1] === 0x7f;
  }

  /** Day records of a sync, as [day, steps, seq]. */
  days(seq = 0): number[][] {
    const out: number[][] = [];
    for (const f of this.sync(seq).frames) if (f.kind === 'day') out.push([f.record.day, f.record.steps, f.record.seq]);
    return out;
  }
}
