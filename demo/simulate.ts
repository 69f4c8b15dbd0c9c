// The simulated week: walks fed to the watches as the world clock reaches them, a sync of every
// watch just after each local midnight (the day just ended is then closed and signed) and at
// the end ("today", still open), the outbox drained after each round, new awards printed, and
// checkpoints (watches' flash and demo.json: at 23:55 every evening, and at the end) so an
// interrupted demo resumes from the last evening. Resuming replays from there: the watches
// close the day again with the same seq and totals, which the bridge already has.
import type { SimWorld } from '../sim/wearables/world.ts';
import type { BridgeHost } from './bridge-host.ts';
import type { DevicePlan, PlannedWalk } from './plan.ts';
import type { Printer } from './printer.ts';
import { DEVICES, USERS } from './roster.ts';
import type { ServicesClient } from './services-client.ts';
import { walkSamples } from './walking.ts';
import type { AccelSample } from '../sim/espruino/index.ts';
import type { DemoWatch } from './watch.ts';
import { localToUtc, type Week } from './week.ts';

/** Syncs happen five minutes after local midnight, as a phone bridge waking up would. */
export const SYNC_MINUTE = 5;
/** Samples fed at once: about four minutes at 12.5 Hz. */
const FEED_SLICE = 3000;

export interface WeekRun {
  week: Week;
  world: SimWorld;
  watches: Map<string, DemoWatch>;
  plans: DevicePlan[];
  bridge: BridgeHost;
  client: ServicesClient;
  printer: Printer;
  /** user|date of every award already printed (or already in the ledger before this run). */
  awarded: Set<string>;
  /** Saves the watches and demo.json at this world time (each evening, and at the end). */
  checkpoint: (atMs: number) => void;
  /** Waits until the outbox has nothing left to send. */
  drain: () => Promise<void>;
  /** Stop after this many rounds, as if interrupted (tests of resuming). */
  maxRounds?: number;
}

/** End of each simulated day's part: just after the next midnight, or the end for today. */
export function stops(week: Week): number[] {
  return week.days.map((day, i) => (i < week.days.length - 1 ? localToUtc(day + 1, SYNC_MINUTE, week.utcOffsetMin) : week.endMs));
}

export async function simulateWeek(r: WeekRun): Promise<void> {
  const todo = stops(r.week).filter((t) => t > r.world.now);
  if (todo.length === 0) {
    // The week is done: this run re-syncs the same watches, which have nothing new.
    r.printer.say(`the simulated week is complete: re-syncing the watches at ${r.printer.stamp(r.world.now)}`);
    await syncRound(r);
    return;
  }
  for (const [round, stop] of todo.entries()) {
    if (r.maxRounds !== undefined && round >= r.maxRounds) return;
    const walks: Array<{ device: string; walk: PlannedWalk }> = [];
    for (const p of r.plans) for (const d of p.days) for (const w of d.walks) if (w.startMs >= r.world.now && w.startMs < stop) walks.push({ device: p.device.id, walk: w });
    walks.sort((a, b) => a.walk.startMs - b.walk.startMs);
    feedWalks(r, walks);
    const last = stop === r.week.endMs;
    // Checkpoint in the evening, before the midnight sync, while today's steps are the newest
    // checkpoints in the watches' flash. WORKAROUND: firmware/core/history.ts restore() hands a
    // watch rebooted after midnight (before its first step) the closed day's hours as the new
    // day's, so a watch saved at 00:05 and resumed sends a day whose hours do not add up (422).
    const evening = stop - (SYNC_MINUTE + 5) * 60_000;
    if (!last && evening > r.world.now) {
      r.world.advanceTo(evening);
      r.checkpoint(evening);
    }
    r.world.advanceTo(stop);
    await syncRound(r);
    if (last) r.checkpoint(r.world.now);
  }
}

/**
 * Feeds the walks of all watches in time order, in slices of a few minutes, each just before it
 * is due: walks of different watches overlap, and the simulator's task queue stays short (a
 * long queue makes its per-task shift() slow). A walk's samples are generated when it starts.
 */
function feedWalks(r: WeekRun, walks: Array<{ device: string; walk: PlannedWalk }>): void {
  const active: Array<{ device: string; samples: AccelSample[]; i: number }> = [];
  let next = 0;
  for (;;) {
    const startAt = next < walks.length ? walks[next].walk.startMs : Infinity;
    let soonest = -1;
    for (let k = 0; k < active.length; k++) if (soonest < 0 || active[k].samples[active[k].i].t < active[soonest].samples[active[soonest].i].t) soonest = k;
    const sliceAt = soonest < 0 ? Infinity : active[soonest].samples[active[soonest].i].t;
    if (startAt === Infinity && sliceAt === Infinity) return;
    if (startAt <= sliceAt) {
      const w = walks[next++];
      active.push({ device: w.device, samples: walkSamples(w.walk), i: 0 });
      continue;
    }
    const a = active[soonest];
    const slice = a.samples.slice(a.i, a.i + FEED_SLICE);
    // A second early: sample times jitter by a few ms around their slot.
    r.world.advanceTo(Math.max(r.world.now, slice[0].t - 1000));
    r.watches.get(a.device)!.walk(slice, r.world.now);
    a.i += slice.length;
    if (a.i >= a.samples.length) active.splice(soonest, 1);
  }
}

async function syncRound(r: WeekRun): Promise<void> {
  for (const d of DEVICES) {
    const t0 = r.world.now;
    await r.bridge.sync(d.id);
    // What this sync changed in the store: days it (re)wrote carry its time.
    const changed = r.bridge.store.days({ devices: [d.id] }).filter((x) => x.syncedAt >= t0);
    r.printer.sync(t0, d.label, changed);
  }
  await r.drain();
  const awards = (await r.client.allAwards(USERS)).sort((a, b) => a.date.localeCompare(b.date) || a.user.localeCompare(b.user));
  for (const a of awards) {
    const k = a.user + '|' + a.date;
    if (r.awarded.has(k)) continue;
    r.awarded.add(k);
    r.printer.award(r.world.now, { user: a.user, date: a.date, steps: a.steps, amount: a.amountFen / 100 });
  }
}
