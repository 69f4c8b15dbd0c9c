// Prometheus metrics of the bridge (`bushu run` with metrics.port set): syncs and their duration,
// deliveries by outcome, and, read from the store at scrape time, the outbox by state and each
// device's last sync. A registry of its own, not prom-client's global one.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BridgeEvent } from './pipeline/bridge.ts';
import type { Store } from './store/store.ts';

export interface BridgeMetrics {
  registry: Registry;
  observe(e: BridgeEvent): void;
}

export function bridgeMetrics(store: Store, opts: { processMetrics?: boolean } = {}): BridgeMetrics {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'bushu_bridge_' });
  const syncs = new Counter({ name: 'bushu_syncs_total', help: 'Device syncs by result (ok, fail)', labelNames: ['result'] as const, registers: [registry] });
  const duration = new Histogram({
    name: 'bushu_sync_duration_seconds',
    help: 'Time from connecting to a device to its sync committed or failed',
    labelNames: ['result'] as const,
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'bushu_deliveries_total',
    help: 'Delivery attempts by service and outcome (delivered, retry, dead)',
    labelNames: ['service', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'bushu_outbox_rows',
    help: 'Outbox rows by state: pending and dead are waiting',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      for (const [state, n] of Object.entries(store.outboxCounts())) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'bushu_device_last_sync_timestamp_seconds',
    help: 'When each device last synced (Unix seconds)',
    labelNames: ['device'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const d of store.devices()) if (d.lastSyncAt !== null) this.set({ device: d.id }, d.lastSyncAt / 1000);
    },
  });
  const started = new Map<string, number>();
  return {
    registry,
    observe(e) {
      if (e.kind === 'job') {
        if (e.type === 'start') return void started.set(e.device, e.at);
        const result = e.type === 'ok' ? 'ok' : 'fail';
        syncs.inc({ result });
        const t0 = started.get(e.device);
        started.delete(e.device);
        if (t0 !== undefined) duration.observe({ result }, Math.max(0, e.at - t0) / 1000);
      } else {
        // keys are bushu:<service>:<device>:…
        deliveries.inc({ service: e.key.split(':')[1] ?? 'unknown', outcome: e.type });
      }
    },
  };
}

/** GET /metrics on host:port; anything else 404. Resolves once listening. */
export async function serveMetrics(registry: Registry, port: number, host: string): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return { server, url: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/metrics`, close: () => new Promise((r) => server.close(() => r())) };
}
