// Where the bridge shows its work besides delivering: Prometheus metrics, and MQTT with Home
// Assistant discovery. The MQTT case runs `bushu run --simulate` as its own process against the
// local Mosquitto (127.0.0.1:1883), and skips, saying so, where no broker runs.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeMetrics, serveMetrics } from '../bridge/metrics.ts';
import { publisher } from '../bridge/mqtt.ts';
import { silentLogger } from '../bridge/log.ts';
import { Store } from '../bridge/store/store.ts';
import { DEV_A, dayInput } from './kits/days.ts';

const BIN = fileURLToPath(new URL('../bin/bushu.js', import.meta.url));
const BROKER = process.env.BUSHU_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

async function brokerSkipReason(): Promise<string | null> {
  const u = new URL(BROKER);
  return new Promise((resolve) => {
    const s = createConnection({ host: u.hostname, port: Number(u.port || 1883) });
    s.setTimeout(2000);
    s.once('connect', () => (s.destroy(), resolve(null)));
    s.once('timeout', () => (s.destroy(), resolve(`no MQTT broker answers at ${BROKER} (start Mosquitto, or set BUSHU_TEST_MQTT_URL)`)));
    s.once('error', (e) => resolve(`no MQTT broker at ${BROKER} (${(e as NodeJS.ErrnoException).code}): start Mosquitto, or set BUSHU_TEST_MQTT_URL`));
  });
}
const mqttSkip = await brokerSkipReason();
if (mqttSkip) console.warn(`bridge-outputs: MQTT tests skipped: ${mqttSkip}`);

let dir = '';
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'bushu-outputs-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bridge metrics', () => {
  it('counts syncs, their duration and deliveries, and reads the outbox and last syncs from the store', async () => {
    const store = Store.open(':memory:', { services: ['reward'] });
    store.commitSync(DEV_A, [dayInput({ steps: 9000, closed: true })], 3, Date.UTC(2026, 10, 21, 1));
    const m = bridgeMetrics(store);
    m.observe({ kind: 'job', type: 'start', device: DEV_A, at: 1000 });
    m.observe({ kind: 'job', type: 'ok', device: DEV_A, at: 4000, result: {} as never });
    m.observe({ kind: 'job', type: 'start', device: DEV_A, at: 5000 });
    m.observe({ kind: 'job', type: 'fail', device: DEV_A, at: 5500, error: new Error('link lost'), failures: 1, retryAt: 7500 });
    m.observe({ kind: 'delivery', type: 'retry', id: 1, key: `bushu:reward:${DEV_A}:2026-11-20:1:ab`, at: 1, nextAt: 2, error: 'HTTP 503' });
    m.observe({ kind: 'delivery', type: 'delivered', id: 1, key: `bushu:reward:${DEV_A}:2026-11-20:1:ab`, at: 3, status: 200 });
    const served = await serveMetrics(m.registry, 0, '127.0.0.1');
    try {
      const text = await (await fetch(served.url)).text();
      expect(text).toContain('bushu_syncs_total{result="ok"} 1');
      expect(text).toContain('bushu_syncs_total{result="fail"} 1');
      expect(text).toContain('bushu_sync_duration_seconds_sum{result="ok"} 3');
      expect(text).toContain('bushu_sync_duration_seconds_bucket{le="5",result="ok"} 1');
      expect(text).toContain('bushu_deliveries_total{service="reward",outcome="retry"} 1');
      expect(text).toContain('bushu_deliveries_total{service="reward",outcome="delivered"} 1');
      expect(text).toContain('bushu_outbox_rows{state="pending"} 1');
      expect(text).toContain(`bushu_device_last_sync_timestamp_seconds{device="${DEV_A}"} ${Date.UTC(2026, 10, 21, 1) / 1000}`);
      expect((await fetch(served.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await served.close();
      store.close();
    }
  });
});

describe('MQTT publisher', () => {
  it('announces each device once and publishes its state and recent days', async () => {
    const store = Store.open(':memory:', { services: [], users: { [DEV_A]: 'alice' } });
    store.upsertDevice({ id: DEV_A, source: 'bushu', firmware: '0.1.0' });
    store.commitSync(DEV_A, [dayInput({ date: '2026-11-20', steps: 9100, closed: true }), dayInput({ date: '2026-11-21', steps: 1200 })], 5, Date.UTC(2026, 10, 21, 2));
    const sent: { topic: string; payload: string; retain: boolean }[] = [];
    const client = { publishAsync: async (topic: string, payload: string, o: { retain?: boolean }) => void sent.push({ topic, payload, retain: o.retain === true }), endAsync: async () => undefined };
    const p = publisher(client as never, { url: 'mqtt://x', topicPrefix: 'bushu', discoveryPrefix: 'homeassistant' }, store, silentLogger());
    await p.synced(DEV_A, Date.UTC(2026, 10, 21, 2), 480);
    await p.synced(DEV_A, Date.UTC(2026, 10, 21, 3), 480);
    const topics = sent.map((s) => s.topic);
    expect(topics.filter((t) => t.endsWith('/config'))).toEqual([`homeassistant/sensor/bushu_${DEV_A}/today/config`, `homeassistant/sensor/bushu_${DEV_A}/last_day/config`]);
    const state = sent.filter((s) => s.topic === `bushu/${DEV_A}/state`);
    expect(state).toHaveLength(2);
    expect(state[0].retain).toBe(true);
    expect(JSON.parse(state[0].payload)).toMatchObject({ date: '2026-11-21', today: 1200, lastDay: { date: '2026-11-20', steps: 9100 }, user: 'alice' });
    const config = JSON.parse(sent[0].payload);
    expect(config).toMatchObject({ unique_id: `bushu_${DEV_A}_today`, state_topic: `bushu/${DEV_A}/state`, unit_of_measurement: 'steps', device: { identifiers: [`bushu_${DEV_A}`], name: 'bushu alice' } });
    store.close();
  });
});

describe.skipIf(mqttSkip !== null)(`bushu run --simulate publishes to the local broker${mqttSkip ? ` (skipped: ${mqttSkip})` : ''}`, () => {
  it('a subscriber sees the discovery message and a step state after the first sync; the metrics endpoint scrapes', async () => {
    const tag = `t${process.pid}${Date.now().toString(36)}`;
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const config = join(dir, 'bushu.config.json');
    writeFileSync(config, JSON.stringify({ mqtt: { url: BROKER, topicPrefix: `bushu-${tag}`, discoveryPrefix: `ha-${tag}` }, metrics: { port } }));
    const sub = await connectAsync(BROKER);
    const got = new Map<string, string>();
    sub.on('message', (topic, payload) => got.set(topic, payload.toString()));
    await sub.subscribeAsync([`bushu-${tag}/#`, `ha-${tag}/#`]);
    // The bridge logs "metrics served" once its endpoint listens: scrape then, while it runs.
    const child = spawn(process.execPath, [BIN, 'run', '--simulate', '1', '--days', '1', '--for', '6', '--config', config, '--db', join(dir, 'run.db')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let scraping: Promise<string> | undefined;
    createInterface({ input: child.stderr! }).on('line', (line) => {
      stderr += line + '\n';
      if (scraping === undefined && line.includes('"metrics served"')) scraping = fetch(`http://127.0.0.1:${port}/metrics`).then((res) => res.text());
    });
    const run = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
    const r = await run;
    await sub.endAsync();
    expect(r.code, r.stderr).toBe(0);
    const scraped = (await scraping) ?? '';
    expect(scraped).toContain('# TYPE bushu_syncs_total counter');
    const device = 'c0ffee000100';
    const discovery = JSON.parse(got.get(`ha-${tag}/sensor/bushu_${device}/today/config`) ?? 'null');
    expect(discovery).toMatchObject({ state_topic: `bushu-${tag}/${device}/state`, unit_of_measurement: 'steps' });
    const state = JSON.parse(got.get(`bushu-${tag}/${device}/state`) ?? 'null');
    expect(state).toMatchObject({ today: expect.any(Number), date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(state.lastDay).toMatchObject({ steps: expect.any(Number) });
  }, 150_000);
});
