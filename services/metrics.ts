// Prometheus metrics of `bushu serve` at GET /metrics (text exposition format, prom-client).
// Only counts, never a user's data: deliveries answered per service and HTTP status, and, read
// from the database at scrape time (so every process on one database reports the same), awards
// and their amount, payouts per state, users and devices. A registry per server, not prom-client's
// global one, so several servers in one process (tests, the demo) keep their own counts.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from './db/types.ts';

export interface ServicesMetrics {
  registry: Registry;
  /** One answer to a bridge's POST /v1/days. */
  delivery(service: string, status: number): void;
}

export function servicesMetrics(db: Db, opts: { processMetrics?: boolean } = {}): ServicesMetrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'bushu_serve_' });
  const deliveries = new Counter({
    name: 'bushu_deliveries_total',
    help: 'Day records POSTed by bridges, by service and HTTP status of the answer',
    labelNames: ['service', 'status'] as const,
    registers: [registry],
  });
  const count = async (sql: string): Promise<number> => Number((await db.all<{ n: number | string | null }>(sql))[0]?.n ?? 0);
  new Gauge({
    name: 'bushu_awards',
    help: 'Hongbao awards in the ledger (one per user and day at most)',
    registers: [registry],
    async collect() {
      this.set(await count('SELECT COUNT(*) AS n FROM awards'));
    },
  });
  new Gauge({
    name: 'bushu_awarded_fen',
    help: 'Sum of the awards in the ledger, in fen',
    registers: [registry],
    async collect() {
      this.set(await count('SELECT COALESCE(SUM(amount_fen), 0) AS n FROM awards'));
    },
  });
  new Gauge({
    name: 'bushu_payouts',
    help: 'Payouts by state (pending, paying, paid)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const rows = await db.all<{ state: string; n: number | string }>('SELECT state, COUNT(*) AS n FROM payouts GROUP BY state');
      for (const state of ['pending', 'paying', 'paid']) this.set({ state }, Number(rows.find((r) => r.state === state)?.n ?? 0));
    },
  });
  new Gauge({
    name: 'bushu_users',
    help: 'Registered users',
    registers: [registry],
    async collect() {
      this.set(await count('SELECT COUNT(*) AS n FROM users'));
    },
  });
  new Gauge({
    name: 'bushu_devices',
    help: 'Registered devices',
    registers: [registry],
    async collect() {
      this.set(await count('SELECT COUNT(*) AS n FROM devices'));
    },
  });
  return { registry, delivery: (service, status) => deliveries.inc({ service, status: String(status) }) };
}
