// The bridge as `bushu run` builds it, minus the scan loop: the store in DATA/bushu.db, the
// delivery loop to the two services, and real noble on the simulated air (FakeBindings). The
// demo decides when each watch is synced (end of every simulated day) instead of the
// pipeline's rest timer, so syncs line up with simulated midnights whatever the host's speed.
import { firstValueFrom, filter, scan, Subject, take, type Subscription } from 'rxjs';
import type { DestinationStream } from 'pino';
import { createNobleCentral } from '../bridge/ble/noble-central.ts';
import type { Advertisement, Central } from '../bridge/ble/central.ts';
import { parseConfig, type BushuConfig } from '../bridge/config.ts';
import { deliveryLoop } from '../bridge/delivery/loop.ts';
import { createLogger } from '../bridge/log.ts';
import type { FakeBindings } from '../sim/wearables/fake-bindings.ts';
import { Store } from '../bridge/store/store.ts';
import { SCAN_SERVICES, syncDevice } from '../bridge/sync/profiles.ts';
import { SyncMetrics, type HostClock, type SyncContext, type SyncResult } from '../bridge/sync/types.ts';
import type { DemoDevice } from './roster.ts';
import { webhookSecret } from './keys.ts';
import { DemoError } from './data-dir.ts';

export interface BridgeHostOptions {
  storePath: string;
  servicesUrl: string; // http://127.0.0.1:PORT
  seed: number;
  devices: readonly DemoDevice[];
  bindings: FakeBindings;
  clock: HostClock;
  /** Warnings and errors of the bridge, one line each (its pino JSON, reformatted). */
  warn: (line: string) => void;
}

export function bridgeConfig(o: Pick<BridgeHostOptions, 'servicesUrl' | 'seed' | 'devices' | 'storePath'>): BushuConfig {
  const users: Record<string, { devices: string[] }> = {};
  for (const d of o.devices) (users[d.user] ??= { devices: [] }).devices.push(d.id);
  const raw = {
    db: o.storePath,
    users,
    services: ['reward', 'social'].map((name) => ({ name, url: `${o.servicesUrl}/${name}`, secret: webhookSecret(o.seed, name) })),
    // Local services answer at once; a short first retry keeps a hiccup from stalling the week.
    delivery: { baseDelayMs: 200, maxDelayMs: 5000 },
  };
  // No environment: BUSHU_SERVICE_* of the user's shell must not redirect the demo's deliveries.
  return parseConfig(raw, {}, null, process.cwd());
}

/** pino JSON lines to short human lines: "bridge warn: <msg> (device …)". */
function lineSink(warn: (line: string) => void): DestinationStream {
  return {
    write(chunk: string) {
      try {
        const o = JSON.parse(chunk) as { level: number; msg: string; device?: string; err?: { message?: string }; error?: string };
        const level = o.level >= 50 ? 'error' : 'warn';
        warn(`bridge ${level}: ${o.msg}${o.device ? ` (${o.device})` : ''}${o.error ? `: ${o.error}` : o.err?.message ? `: ${o.err.message}` : ''}`);
      } catch {
        warn(`bridge: ${chunk.trim()}`);
      }
    },
  };
}

export class BridgeHost {
  readonly store: Store;
  readonly config: BushuConfig;
  readonly metrics = new SyncMetrics();
  private readonly changes = new Subject<void>();
  private readonly deliveries: Subscription;
  private readonly ctx: SyncContext;
  private ads = new Map<string, Advertisement>();
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly central: Central,
    o: BridgeHostOptions,
  ) {
    this.config = bridgeConfig(o);
    try {
      this.store = Store.open(this.config.db, { services: this.config.services.map((s) => s.name), users: this.config.deviceUsers });
    } catch (e) {
      throw new DemoError(`the bridge's store: ${(e as Error).message}`);
    }
    const log = createLogger({ level: 'warn', destination: lineSink(o.warn) });
    this.ctx = { store: this.store, clock: o.clock, log, metrics: this.metrics };
    this.deliveries = deliveryLoop({ store: this.store, config: this.config, clock: o.clock.now, changes: this.changes, log }).subscribe((e) => {
      for (const w of this.waiters.splice(0)) w();
      if (e.type === 'dead') o.warn(`delivery dead: ${e.key}: ${e.reason}`);
    });
  }

  static async open(o: BridgeHostOptions): Promise<BridgeHost> {
    const central = await createNobleCentral({ bindings: o.bindings });
    await central.whenReady();
    const host = new BridgeHost(central, o);
    await host.discover(o.devices.map((d) => d.id));
    return host;
  }

  /** One scan until every watch has advertised, then scanning stops (it would keep the air busy). */
  private async discover(ids: string[]): Promise<void> {
    const ads = await firstValueFrom(
      this.central.scan(SCAN_SERVICES).pipe(
        scan((m, ad) => m.set(ad.deviceId, ad), new Map<string, Advertisement>()),
        filter((m) => ids.every((id) => m.has(id))),
        take(1),
      ),
    );
    this.ads = ads;
  }

  /** A complete sync of one watch (connect, history, commit, ACK, disconnect); wakes delivery. */
  async sync(deviceId: string): Promise<SyncResult> {
    const ad = this.ads.get(deviceId);
    if (ad === undefined) throw new Error(`watch ${deviceId} was never seen advertising`);
    const r = await syncDevice(this.central, ad, this.ctx);
    if (r.queued > 0) this.changes.next();
    return r;
  }

  /** Resolves at the next finished delivery attempt (delivered, retry or dead). */
  nextDelivery(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Makes the delivery loop look at the outbox now (after the clock jumped to a retry time). */
  kick(): void {
    this.changes.next();
  }

  pending(): number {
    return this.store.outboxCounts().pending;
  }

  /**
   * Waits until the outbox is empty, attempt by attempt. Deliveries go to services in this
   * process, so this takes a few event-loop turns; a row waiting for a retry is due at a later
   * simulated time, so the world is moved there (the bridge waits, time passes).
   */
  async drain(world: { readonly now: number; advanceTo(t: number): void }, realLimitMs = 30_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const row = this.store.outbox({ state: 'pending' })[0];
        reject(new DemoError(`deliveries did not drain in ${realLimitMs / 1000} s: ${row?.key} last error: ${row?.lastError ?? 'none'}`));
      }, realLimitMs);
    });
    stuck.catch(() => {});
    try {
      while (this.pending() > 0) {
        const attempt = this.nextDelivery();
        if (this.store.dueDeliveries(world.now, 1).length === 0) {
          const next = this.store.nextDueAfter(world.now);
          if (next !== undefined) world.advanceTo(next);
          this.kick();
        }
        await Promise.race([attempt, stuck]);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.deliveries.unsubscribe();
    await this.central.close();
    this.store.close();
  }
}
