// The reference services in-process, on 127.0.0.1, with the demo's clock and secrets. The port
// asked for is tried first; when it is taken the OS picks a free one and the caller says so.
import { resolveConfig, type ServicesConfig } from '../services/config.ts';
import { openDatabase } from '../services/db/open.ts';
import type { Db } from '../services/db/types.ts';
import { logPayer, startServices, type RunningServices } from '../services/server.ts';
import { adminToken, webhookSecret } from './keys.ts';
import { DemoError } from './data-dir.ts';

export const HOST = '127.0.0.1';

/** The demo's one bridge, as the services know it: every demo device is registered to it. */
export const DEMO_BRIDGE = 'demo-bridge';

export interface DemoServices {
  url: string; // http://127.0.0.1:PORT, the dashboard
  port: number;
  /** Set when the port asked for was busy. */
  busyPort?: number;
  config: ServicesConfig;
  close(): Promise<void>;
}

export function servicesConfig(seed: number): ServicesConfig {
  return resolveConfig({
    adminToken: adminToken(seed),
    // The secrets demo/bridge-host.ts signs with, one per service as in the bridge's config.
    bridges: [{ id: DEMO_BRIDGE, secrets: { reward: [webhookSecret(seed, 'reward')], social: [webhookSecret(seed, 'social')] } }],
  });
}

export interface DemoServicesOptions {
  dbPath: string;
  port: number;
  seed: number;
  clock: () => number;
  onError: (e: unknown) => void;
  /** Pay awards out every this many real ms, logging each payout (0: never, as with --once). */
  payoutEveryMs: number;
  log: (line: string) => void;
}

export async function startDemoServices(o: DemoServicesOptions): Promise<DemoServices> {
  const config = servicesConfig(o.seed);
  let db: Db;
  try {
    db = await openDatabase({ sqlitePath: o.dbPath });
  } catch (e) {
    throw new DemoError(`cannot open the services' database ${o.dbPath}: ${(e as Error).message}`);
  }
  const payer = logPayer(o.log);
  const start = (port: number) => startServices({ db, config, port, host: HOST, clock: o.clock, onError: o.onError, payer, payoutEveryMs: o.payoutEveryMs });
  let running: RunningServices;
  let busyPort: number | undefined;
  try {
    try {
      running = await start(o.port);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || o.port === 0) throw e;
      busyPort = o.port;
      running = await start(0);
    }
  } catch (e) {
    await db.close();
    const code = (e as NodeJS.ErrnoException).code;
    throw code ? new DemoError(`cannot listen on ${HOST}:${busyPort === undefined ? o.port : 0}: ${code}`) : e;
  }
  return {
    url: running.url,
    port: Number(new URL(running.url).port),
    busyPort,
    config,
    async close() {
      await running.close();
      await db.close();
    },
  };
}
