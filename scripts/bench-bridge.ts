// npm run bench:bridge -- [--devices N] [--days D] [--firmware real|fake] [--interval MS] [--per-interval K] [--json]
// N simulated bushu watches × D days of history (default 5 × 30), synced once by the bridge
// (real noble on FakeBindings, the real Store in memory). Prints the sync time, records per
// second, CPU time and peak memory, and compares the simulated link time with what BLE allows
// at ATT MTU 131 (128-byte notifications) and the stated connection interval.
// The protocol fake is the default watch (the real firmware simulates every accelerometer sample
// of the month, minutes of CPU per watch before the sync even starts); --firmware real uses it.

import { firstValueFrom, filter, take, toArray } from 'rxjs';
import { createNobleCentral } from '../bridge/ble/noble-central.ts';
import { createFleet } from '../sim/wearables/fleet.ts';
import { SimulatedWearable, firmwareFiles } from '../sim/wearables/simulated-wearable.ts';
import { runBridge } from '../bridge/pipeline/bridge.ts';
import { SyncMetrics } from '../bridge/sync/types.ts';
import { Store } from '../bridge/store/store.ts';
import { silentLogger } from '../bridge/log.ts';
import { BLE_DEFAULTS } from '../bridge/config/ble.ts';
import { DELIVERY_DEFAULTS } from '../bridge/config/sections.ts';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
}

async function main(): Promise<void> {
  const devices = Number(arg('devices', '5'));
  const days = Number(arg('days', '30'));
  const intervalMs = Number(arg('interval', '30'));
  const perInterval = Number(arg('per-interval', '4'));
  const real = arg('firmware', 'fake') === 'real';
  const json = process.argv.includes('--json');

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const fw = real ? await firmwareFiles() : undefined;
  const tSetup = performance.now();
  const fleet = createFleet({
    devices, days, bushuOnly: true, bindings: { intervalMs, notificationsPerInterval: perInterval },
    makeWatch: fw ? (o) => new SimulatedWearable({ ...o, firmware: fw }) : undefined,
  });
  const setupMs = performance.now() - tSetup;
  const central = await createNobleCentral({ bindings: fleet.bindings });
  const store = Store.open(':memory:', { services: ['bench'] });
  const metrics = new SyncMetrics();
  const ctx = { store, clock: fleet.world.clock(), log: silentLogger(), metrics };
  const config = { services: [], delivery: DELIVERY_DEFAULTS, ble: BLE_DEFAULTS };

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const world0 = fleet.world.now;
  const ticks0 = fleet.bindings.stats.ticks;
  const results = await firstValueFrom(
    runBridge({ central, store, config, ctx, concurrency: devices, restMs: Number.MAX_SAFE_INTEGER }).pipe(
      filter((e) => e.kind === 'job' && e.type !== 'start'),
      take(devices),
      toArray(),
    ),
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);

  const failed = results.filter((r) => r.kind === 'job' && r.type === 'fail').length;
  const records = metrics.records;
  const notifications = fleet.bindings.stats.notifications;
  const bytes = fleet.bindings.stats.notificationBytes;
  // BLE limit: notifications of at most 128 bytes, `perInterval` per connection interval per link.
  const perDeviceNotes = notifications / devices;
  const bleLimitMs = Math.ceil(perDeviceNotes / perInterval) * intervalMs;
  const simulatedLinkMs = fleet.world.now - world0;
  const out = {
    devices, days, firmware: real ? 'real' : 'protocol fake', failed,
    records, historyNotifications: notifications, historyBytes: bytes,
    setupMs: Math.round(setupMs),
    syncWallMs: Math.round(wallMs),
    recordsPerSecond: Math.round((records / wallMs) * 1000),
    cpuUserMs: Math.round(cpu.user / 1000), cpuSystemMs: Math.round(cpu.system / 1000),
    peakRssMB: Math.round(peakRss / 1048576),
    link: { mtu: 131, maxPayload: 128, connectionIntervalMs: intervalMs, notificationsPerInterval: perInterval },
    bleLimitPerDeviceMs: bleLimitMs,
    bleThroughputBytesPerSecond: Math.round((128 * perInterval * 1000) / intervalMs),
    simulatedLinkMs: simulatedLinkMs,
    simulatedTicks: fleet.bindings.stats.ticks - ticks0,
  };
  if (json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  else {
    process.stdout.write(
      [
        `bench:bridge: ${devices} watches (${out.firmware}) × ${days} days, synced in parallel${failed ? `, ${failed} FAILED` : ''}`,
        `  records (Day + its Summary counted once): ${records}; notifications (history and status) ${notifications} (${bytes} bytes)`,
        `  sync time (wall): ${out.syncWallMs} ms, ${out.recordsPerSecond} records/s (setup of the simulated month: ${out.setupMs} ms)`,
        `  CPU: ${out.cpuUserMs} ms user + ${out.cpuSystemMs} ms system; peak RSS ${out.peakRssMB} MB`,
        `  BLE limit at MTU 131, ${intervalMs} ms connection interval, ${perInterval} notifications/interval: ` +
          `${out.bleThroughputBytesPerSecond} B/s per link, so ${Math.round(perDeviceNotes)} notifications per watch need >= ${bleLimitMs} ms on air`,
        `  simulated link time (connect, discovery, time writes, transfer, ACK, all watches at once): ${simulatedLinkMs} ms over ${out.simulatedTicks} intervals`,
        `  the bridge's own work is ${(wallMs / Math.max(1, bleLimitMs)).toFixed(2)}× the on-air minimum: the radio, not the bridge, bounds a real sync`,
      ].join('\n') + '\n',
    );
  }
  await central.close();
  fleet.close();
  store.close();
  process.exitCode = failed ? 1 : 0;
}

await main();
