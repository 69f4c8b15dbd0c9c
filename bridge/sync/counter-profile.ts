// WeChat 0xFEE7 wristbands and InfiniTime watches: read today's cumulative count, turn it into
// day totals (cumulative.ts), commit. They have no history, so a day walked while the bridge was
// away is only known from the last reading of that day.

import { NOBLE_UUID as N, decodeWeChatAddress, decodeWeChatSteps } from '../../shared/protocol/index.ts';
import type { Gatt, Link } from '../ble/central.ts';
import type { DayInput, Source } from '../store/types.ts';
import { applyReading } from './cumulative.ts';
import { MemoryCounterState } from './counter-state.ts';
import { BadPayloadError, type SyncContext, type SyncResult } from './types.ts';

const fallbackState = new MemoryCounterState();

/** InfiniTime's step count: one little-endian uint32. */
export function decodeInfiniTimeSteps(b: Uint8Array): { ok: true; value: number } | { ok: false; error: string } {
  if (b.length !== 4) return { ok: false, error: `InfiniTime steps: expected 4 bytes, got ${b.length}` };
  return { ok: true, value: new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) };
}

/** `gatt` is the discovery syncDevice already made. */
export async function syncCounter(link: Link, gatt: Gatt, source: Exclude<Source, 'bushu'>, deviceId: string, ctx: SyncContext, name?: string): Promise<SyncResult> {
  let count: number;
  let device = deviceId;
  if (source === 'wechat') {
    const r = decodeWeChatSteps(await link.read(N.WECHAT_SERVICE, N.WECHAT_STEPS));
    if (!r.ok) throw bad(r.error, ctx);
    count = r.value.steps;
    // FEC9 carries the address when the platform hides it (macOS gives random ids).
    if (gatt.get(N.WECHAT_SERVICE)?.some((c) => c.uuid === N.WECHAT_ADDRESS)) {
      const a = decodeWeChatAddress(await link.read(N.WECHAT_SERVICE, N.WECHAT_ADDRESS));
      if (a.ok) device = a.value;
    }
  } else {
    const r = decodeInfiniTimeSteps(await link.read(N.INFINITIME_MOTION_SERVICE, N.INFINITIME_STEP_COUNT));
    if (!r.ok) throw bad(r.error, ctx);
    count = r.value;
  }
  const states = ctx.counterState ?? fallbackState;
  const now = ctx.clock.now();
  const { state, totals } = applyReading(states.get(device), { count, utcMs: now, offsetMin: ctx.clock.offsetMin() });
  const days: DayInput[] = totals.map((t) => ({
    device, date: t.date, utcOffsetMin: t.utcOffsetMin, steps: t.steps, hours: null, notWornHours: [], closed: t.closed, source, summary: null, firmware: null,
  }));
  ctx.store.upsertDevice({ id: device, name, source });
  const r = ctx.store.commitSync(device, days, null, now);
  states.set(device, state); // after the commit: see counter-state.ts
  ctx.metrics.syncs++;
  ctx.log.info({ device, source, count, days: days.length, changedDays: r.changedDays }, 'counter read');
  return { device, source, records: 1, days: days.length, changedDays: r.changedDays, queued: r.queued, cursor: 0, restarts: 0 };
}

function bad(error: string, ctx: SyncContext): BadPayloadError {
  ctx.metrics.bad(error);
  return new BadPayloadError(error);
}
