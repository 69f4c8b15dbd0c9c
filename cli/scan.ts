// `bushu scan`: lists the wearables in range that a profile can sync (or every advertisement
// with --all, or only bushu watches by their advertised service UUID with --bushu), for
// --seconds, deduplicated by device.

import { takeUntil, timer } from 'rxjs';
import type { Advertisement } from '../bridge/ble/central.ts';
import { openReadySession } from '../bridge/pipeline/session.ts';
import { SCAN_SERVICES, isCandidate, profileOf } from '../bridge/sync/profiles.ts';
import { NOBLE_UUID } from '../shared/protocol/index.ts';

export interface ScanOptions {
  seconds?: number;
  json?: boolean;
  all?: boolean;
  simulate?: number;
  config?: string;
  /** Only watches advertising the bushu service UUID (the adapter filters; firmware 0.10 and later). */
  bushu?: boolean;
}

/** The adapter's filter: the bushu service UUID with --bushu, else every advertisement (profiles.ts). */
export function scanServices(opts: Pick<ScanOptions, 'bushu'>): string[] {
  return opts.bushu ? [NOBLE_UUID.SERVICE] : SCAN_SERVICES;
}

export async function runScan(opts: ScanOptions, logLevel: string | undefined, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const session = await openReadySession({ config: opts.config, logLevel, simulated: opts.simulate ? new (await import('../sim/air.ts')).Simulation({ devices: opts.simulate, firmware: 'fake' }).open : undefined }, err);
  if (typeof session === 'number') return session; // printed why: bad config (1) or no adapter (2)
  const seconds = opts.seconds ?? session.config.ble.scanSeconds;
  const seen = new Map<string, Advertisement>();
  await new Promise<void>((resolve, reject) =>
    session.central
      .scan(scanServices(opts))
      .pipe(takeUntil(timer(seconds * 1000)))
      .subscribe({
        next: (ad) => {
          if (!opts.all && !isCandidate(ad)) return;
          if (!seen.has(ad.deviceId) && !opts.json) out.write(`${ad.deviceId}  ${String(ad.rssi).padStart(4)} dBm  ${(profileOf(ad.serviceUuids) ?? '?').padEnd(10)}  ${ad.name}\n`);
          seen.set(ad.deviceId, ad);
        },
        error: reject,
        complete: resolve,
      }),
  );
  if (opts.json) out.write(JSON.stringify([...seen.values()].map((a) => ({ ...a, profile: profileOf(a.serviceUuids) })), null, 2) + '\n');
  else out.write(`${seen.size} device(s) in ${seconds} s\n`);
  await session.close();
  return 0;
}
