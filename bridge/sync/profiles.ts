// Which profile a wearable speaks, from its advertisement, and one complete sync of it:
// connect, run the profile, always disconnect.

import { NOBLE_UUID as N, normUuid } from '../../shared/protocol/index.ts';
import type { Advertisement, Central } from '../ble/central.ts';
import type { Source } from '../store/types.ts';
import { syncBushu } from './bushu-profile.ts';
import { syncCounter } from './counter-profile.ts';
import type { SyncContext, SyncResult } from './types.ts';

/** Service UUIDs the profiles serve: ours, WeChat's pedometer and InfiniTime's motion service. */
export const PROFILE_SERVICES = [N.SERVICE, N.WECHAT_SERVICE, N.INFINITIME_MOTION_SERVICE];

/**
 * The bridge's scan filter. Empty (every advertisement, filtered by isCandidate): bushu firmware
 * 0.10 and later advertises the bushu service UUID (in a packet of its own, firmware/core/
 * advert.ts), but earlier firmware, and any watch whose apps set their own advertising, shows
 * only its name. `bushu scan --bushu` filters by the UUID at the adapter.
 */
export const SCAN_SERVICES: string[] = [];

const ESPRUINO_NAME = /^(Bangle\.js|Puck\.js|bushu)/;

/** Worth connecting to: it advertises one of our profiles, or is an Espruino device by name. */
export function isCandidate(ad: Pick<Advertisement, 'serviceUuids' | 'name'>): boolean {
  return ad.serviceUuids.map(normUuid).some((u) => PROFILE_SERVICES.includes(u)) || ESPRUINO_NAME.test(ad.name);
}

/** bushu first: our firmware also offers the WeChat service, and its history is the better source. */
export function profileOf(serviceUuids: string[]): Source | null {
  const u = serviceUuids.map(normUuid);
  if (u.includes(N.SERVICE)) return 'bushu';
  if (u.includes(N.INFINITIME_MOTION_SERVICE)) return 'infinitime';
  if (u.includes(N.WECHAT_SERVICE)) return 'wechat';
  return null;
}

export async function syncDevice(central: Central, ad: Advertisement, ctx: SyncContext): Promise<SyncResult> {
  const link = await central.connect(ad.id);
  try {
    // The profile is decided by what the device serves, not by what it advertises.
    const gatt = await link.discover();
    const source = profileOf([...gatt.keys()]);
    if (source === null) throw new NoProfileError(`${ad.deviceId} (${ad.name}): serves none of the supported profiles`);
    return source === 'bushu' ? await syncBushu(link, ctx, ad.name) : await syncCounter(link, gatt, source, ad.deviceId, ctx, ad.name);
  } catch (e) {
    ctx.metrics.failures++;
    throw e;
  } finally {
    await link.disconnect().catch(() => {});
  }
}

/** A device that serves no supported profile: the pipeline leaves it alone for a long time. */
export class NoProfileError extends Error {}
