// Start both services and the dashboard on one node:http server. Used by `bushu serve`, the
// tests (port 0) and the benchmark.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServicesConfig } from './config.ts';
import type { Db } from './db/types.ts';
import { applySeed } from './registry.ts';
import { runPayouts, type Payer } from './reward/payouts.ts';
import { buildRouter } from './routes.ts';
import { servicesMetrics } from './metrics.ts';

export interface StartOptions {
  db: Db;
  config: ServicesConfig;
  port?: number;
  host?: string;
  clock?: () => number;
  payer?: Payer;
  /** Run the payout worker every this many ms (0: never; tests call runPayouts themselves). */
  payoutEveryMs?: number;
  onError?: (err: unknown) => void;
  /** Node process metrics (memory, CPU, event loop) in /metrics too: bushu serve's own process. */
  processMetrics?: boolean;
}

export interface RunningServices {
  server: Server;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

/** A payer for the reference deployment: it only records that a payout would be sent. */
export const logPayer = (log: (line: string) => void): Payer => ({
  async pay(p) {
    log(`payout ${p.id}: ${(p.amountFen / 100).toFixed(2)} to ${p.userId} (award ${p.awardId})`);
  },
});

export async function startServices(opts: StartOptions): Promise<RunningServices> {
  const clock = opts.clock ?? Date.now;
  const payer = opts.payer ?? logPayer(() => undefined);
  await applySeed(opts.db, opts.config.seed, opts.config.bridges.map((b) => b.id), clock());
  const onError = opts.onError ?? ((err: unknown) => console.error(err));
  const router = buildRouter({ db: opts.db, config: opts.config, clock, payer, metrics: servicesMetrics(opts.db, { processMetrics: opts.processMetrics ?? false }), onError });
  const server = createServer(router.listener(onError));
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  let timer: NodeJS.Timeout | undefined;
  if (opts.payoutEveryMs) {
    let running = false;
    timer = setInterval(() => {
      if (running) return;
      running = true;
      runPayouts(opts.db, payer, clock()).catch(onError).finally(() => (running = false));
    }, opts.payoutEveryMs);
    timer.unref();
  }
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}`,
    async close() {
      if (timer) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
