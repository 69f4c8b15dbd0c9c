// `bushu run`: the daemon. Scans continuously, syncs each wearable when it shows up (resting
// between syncs, backing off after failures), re-sets watch clocks after a zone or DST change,
// and delivers day records to the configured services. With --simulate N it runs on simulated
// wearables whose clock runs --speed times faster than real time.
// Without a Bluetooth adapter it says so, explains --simulate, and exits 2.

import { runBridge } from '../bridge/pipeline/bridge.ts';
import { openReadySession } from '../bridge/pipeline/session.ts';
import { bridgeMetrics, serveMetrics } from '../bridge/metrics.ts';
import { connectMqtt } from '../bridge/mqtt.ts';

export interface RunOptions {
  simulate?: number;
  days?: number;
  speed?: number;
  db?: string;
  config?: string;
  json?: boolean;
  /** Stop after this many real seconds (tests, demos); runs until SIGINT otherwise. */
  for?: number;
}

export async function runDaemon(opts: RunOptions, logLevel: string | undefined, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const simulate = opts.simulate;
  const speed = opts.speed ?? 60;
  const simulation = simulate !== undefined ? new (await import('../sim/air.ts')).Simulation({ devices: simulate, days: opts.days ?? 7, mode: 'paced', announce: (line) => err.write(line + '\n') }) : undefined;
  const s = await openReadySession({ config: opts.config, db: opts.db, logLevel, simulated: simulation?.open }, err);
  if (typeof s === 'number') return s; // printed why: bad config (1) or no adapter (2)
  // In simulation the world clock runs `speed` times real time; resting is scaled to match.
  const world = simulation?.fleet?.world;
  const tick = world ? setInterval(() => world.advance(250 * speed), 250) : undefined;
  const restMs = (s.config.ble.syncIntervalSeconds * 1000) / (world ? speed : 1);
  s.log.info({ simulate, speed: world ? speed : undefined, services: s.config.services.filter((x) => x.enabled).map((x) => x.name) }, 'bridge running');
  const metrics = s.config.metrics.port !== null ? bridgeMetrics(s.store, { processMetrics: true }) : undefined;
  let endpoint: Awaited<ReturnType<typeof serveMetrics>> | undefined;
  if (metrics) {
    try {
      endpoint = await serveMetrics(metrics.registry, s.config.metrics.port!, s.config.metrics.host);
    } catch (e) {
      err.write(`bushu run: cannot serve metrics on ${s.config.metrics.host}:${s.config.metrics.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      await s.close();
      return 1;
    }
    s.log.info({ url: endpoint.url }, 'metrics served');
  }
  const mqtt = await connectMqtt(s.config.mqtt, s.store, s.log);
  const sub = runBridge({ central: s.central, store: s.store, config: s.config, ctx: s.ctx, restMs, deliver: true }).subscribe({
    next: (e) => {
      metrics?.observe(e);
      if (mqtt && e.kind === 'job' && e.type === 'ok') void mqtt.synced(e.device, s.clock.now(), s.clock.offsetMin());
      if (opts.json) out.write(JSON.stringify(e, (_k, v) => (v instanceof Error ? v.message : v)) + '\n');
      else if (e.kind === 'job' && e.type === 'ok') out.write(`${new Date(s.clock.now()).toISOString()} synced ${e.device} (${e.result.source}): ${e.result.records} records, ${e.result.changedDays} days changed\n`);
      else if (e.kind === 'job' && e.type === 'fail') out.write(`${e.device}: sync failed (${(e.error as Error).message}), retry in ${Math.round((e.retryAt - e.at) / 1000)} s\n`);
      else if (e.kind === 'delivery' && e.type !== 'retry') out.write(`${e.type} ${e.key}\n`);
    },
    error: (e: unknown) => s.log.error({ error: (e as Error).message }, 'bridge stopped'),
  });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (opts.for !== undefined) setTimeout(stop, opts.for * 1000);
  });
  sub.unsubscribe();
  if (tick) clearInterval(tick);
  await endpoint?.close();
  await mqtt?.close();
  const m = s.ctx.metrics;
  if (opts.json) out.write(JSON.stringify({ kind: 'stopped', syncs: m.syncs, failures: m.failures, badPayloads: m.badPayloads }) + '\n');
  else out.write(`stopped: ${m.syncs} syncs, ${m.failures} failures, ${m.badPayloads} bad payloads\n`);
  await s.close();
  return 0;
}
