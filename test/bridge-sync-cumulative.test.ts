// Day totals from cumulative counters (WeChat, InfiniTime): table-driven, then end to end.
import { describe, expect, it } from 'vitest';
import { firstValueFrom } from 'rxjs';
import { EMPTY_COUNTER, applyReading, type DayTotal } from '../bridge/sync/cumulative.ts';
import { createNobleCentral } from '../bridge/ble/noble-central.ts';
import { FakeBindings } from '../sim/wearables/fake-bindings.ts';
import { SimWorld } from '../sim/wearables/world.ts';
import { SimulatedInfiniTime, SimulatedWeChatBand } from '../sim/wearables/counter-bands.ts';
import { dayTotal } from '../sim/wearables/schedule.ts';
import { syncDevice, SCAN_SERVICES } from '../bridge/sync/profiles.ts';
import { MemoryCounterState } from '../bridge/sync/counter-state.ts';
import { SyncMetrics } from '../bridge/sync/types.ts';
import { Store } from '../bridge/store/store.ts';
import { silentLogger } from '../bridge/log.ts';
import { dateString, localDay } from '../shared/days.ts';

const M = 60_000;
const H = 60 * M;
const D0 = Date.UTC(2026, 10, 20); // a UTC midnight; offset 0 in the table

// [label, readings as [minutes since D0, count], expected final totals by date]
const TABLE: Array<[string, Array<[number, number]>, Record<string, number>]> = [
  ['grows within a day', [[600, 100], [700, 250]], { '2026-11-20': 250 }],
  ['a reboot adds a new segment', [[600, 1000], [700, 1200], [710, 30], [800, 500]], { '2026-11-20': 1700 }],
  ['reset at midnight', [[1400, 9000], [1445, 40]], { '2026-11-20': 9000, '2026-11-21': 40 }],
  ['a stale count after midnight is yesterday\'s', [[1400, 9000], [1442, 9100], [1446, 20]], { '2026-11-20': 9100, '2026-11-21': 20 }],
  ['no reset within the window: today counts on from yesterday', [[1400, 9000], [1442, 9000], [1460, 9300]], { '2026-11-20': 9000, '2026-11-21': 300 }],
  ['first reading ever, just after midnight, is only a baseline', [[1442, 5000], [1500, 5200]], { '2026-11-21': 200 }],
  ['a day skipped: no stale phase', [[600, 100], [600 + 2 * 1440, 40]], { '2026-11-20': 100, '2026-11-22': 40 }],
  ['the host clock going back past midnight is ignored', [[1460, 50], [1435, 9999], [1470, 60]], { '2026-11-21': 60 }],
];

describe('applyReading', () => {
  it.each(TABLE)('%s', (_label, readings, want) => {
    let state = EMPTY_COUNTER;
    const last: Record<string, DayTotal> = {};
    for (const [min, count] of readings) {
      const r = applyReading(state, { count, utcMs: D0 + min * M, offsetMin: 0 });
      state = r.state;
      for (const t of r.totals) last[t.date] = t;
    }
    const got = Object.fromEntries(Object.entries(last).filter(([, t]) => t.steps > 0 || want[t.date] !== undefined).map(([d, t]) => [d, t.steps]));
    expect(got).toEqual(want);
  });

  it('closes yesterday at the first reading of today', () => {
    const a = applyReading(EMPTY_COUNTER, { count: 10, utcMs: D0 + 600 * M, offsetMin: 0 });
    const b = applyReading(a.state, { count: 3, utcMs: D0 + 1500 * M, offsetMin: 0 });
    expect(b.totals[0]).toMatchObject({ date: '2026-11-20', steps: 10, closed: true });
  });
});

describe('counter profiles on simulated bands', () => {
  it.each([
    ['wechat', (o: ConstructorParameters<typeof SimulatedWeChatBand>[0]) => new SimulatedWeChatBand(o)],
    ['infinitime', (o: ConstructorParameters<typeof SimulatedInfiniTime>[0]) => new SimulatedInfiniTime(o)],
  ])('%s: daily totals match the walking schedule despite a late reset and a reboot', async (source, make) => {
    const start = D0 - 8 * H; // local midnight, UTC+8
    const world = new SimWorld(start, 480);
    const band = make({ deviceId: 'bada55000001', seed: 11, offsetMin: 480, startUtcMs: start, resetDelayMs: 3 * M });
    world.add('bada55000001', band);
    const bindings = new FakeBindings({ world });
    const central = await createNobleCentral({ bindings });
    const store = Store.open(':memory:');
    const ctx = { store, clock: world.clock(), log: silentLogger(), metrics: new SyncMetrics(), counterState: new MemoryCounterState() };
    const sync = async () => syncDevice(central, await firstValueFrom(central.scan(SCAN_SERVICES)), ctx);
    // read every 30 min for 3 days, plus one read 1 minute after each midnight (stale count)
    for (let t = start + 30 * M; t <= start + 3 * 24 * H; t += 30 * M) {
      world.advanceTo(t);
      await sync();
      if ((t - start) % (24 * H) === 23.5 * H) {
        world.advanceTo(t + 31 * M);
        await sync();
      }
      if (t === start + 30 * H) band.reboot(); // count lost mid-day: 06:00 on day 2, before any walking
    }
    const day0 = localDay(start, 480);
    for (let d = 0; d < 3; d++) expect(store.day('bada55000001', dateString(day0 + d))!.steps).toBe(dayTotal(11, day0 + d));
    expect(store.day('bada55000001', dateString(day0))!.source).toBe(source);
    await central.close();
    bindings.close();
    store.close();
  });
});
