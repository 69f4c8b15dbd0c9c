// The demo's pure parts: the seeded walking plan, the simulated week, the derived secrets and
// the summary's ranking and shape. Fast; the end-to-end run is in demo.test.ts.
import { describe, expect, it } from 'vitest';
import { deviceKeyHex, webhookSecret } from '../demo/keys.ts';
import { planWeek } from '../demo/plan.ts';
import { DEVICES, USERS, friendships } from '../demo/roster.ts';
import { stops } from '../demo/simulate.ts';
import { rankOf, sortDays, table, toJson } from '../demo/summary.ts';
import { chooseWeek, END_LOCAL_HOUR, localToUtc, weekDates } from '../demo/week.ts';
import { GOAL_STEPS } from '../shared/rewards.ts';

const NOW = Date.UTC(2026, 10, 21, 4, 0, 0); // 12:00 in UTC+8
const week = chooseWeek(NOW, 480);

describe('the simulated week', () => {
  it('is 7 local days ending today, stopping at the end hour of today', () => {
    expect(weekDates(week)).toEqual(['2026-11-15', '2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21']);
    expect(new Date(week.endMs).toISOString()).toBe(`2026-11-21T${String(END_LOCAL_HOUR - 8).padStart(2, '0')}:00:00.000Z`);
  });

  it('syncs just after each midnight, and at the end for today', () => {
    const s = stops(week);
    expect(s).toHaveLength(7);
    expect(new Date(s[0]).toISOString()).toBe('2026-11-15T16:05:00.000Z'); // 2026-11-16 00:05 local
    expect(s[6]).toBe(week.endMs);
  });
});

describe('planWeek', () => {
  for (const profile of ['full', 'light'] as const) {
    const plans = planWeek(1, week, DEVICES, profile);

    it(`${profile}: gives every user days above and below the goal, with a margin`, () => {
      for (const user of USERS) {
        const main = plans.find((p) => p.device.user === user)!;
        const closed = main.days.slice(0, 6).map((d) => d.target);
        expect(closed.filter((s) => s >= GOAL_STEPS).length, user).toBeGreaterThanOrEqual(2);
        expect(closed.filter((s) => s < GOAL_STEPS).length, user).toBeGreaterThanOrEqual(2);
        // the firmware's count of a walk is within a few percent: no target sits on the edge
        for (const s of closed) expect(Math.abs(s - GOAL_STEPS), `${user} ${s}`).toBeGreaterThan(300);
      }
    });

    it(`${profile}: lets the Puck beat the watch on two closed days, one of them only the Puck over the goal`, () => {
      const bangle = plans.find((p) => p.device.id === 'b05400000a01')!.days.map((d) => d.target);
      const puck = plans.find((p) => p.device.board === 'PUCKJS2')!.days.map((d) => d.target);
      const wins = [0, 1, 2, 3, 4, 5].filter((i) => puck[i] > bangle[i]);
      expect(wins).toHaveLength(2);
      expect(wins.some((i) => bangle[i] < GOAL_STEPS && puck[i] >= GOAL_STEPS)).toBe(true);
    });

    it(`${profile}: splits each day into walks that add up, never overlap, and end before the simulation stops`, () => {
      for (const p of plans) {
        p.days.forEach((d, i) => {
          expect(d.walks.reduce((a, w) => a + w.steps, 0)).toBe(d.target);
          const end = i === 6 ? week.endMs : localToUtc(d.day, 21 * 60, 480) + 60_000;
          let free = localToUtc(d.day, 7 * 60, 480);
          for (const w of d.walks) {
            expect(w.startMs).toBeGreaterThanOrEqual(free);
            free = w.startMs + (w.steps / w.cadence) * 1.05 * 1000;
            expect(free).toBeLessThanOrEqual(end);
          }
        });
      }
    });
  }

  it('is the same for the same seed and differs for another', () => {
    expect(planWeek(7, week, DEVICES)).toEqual(planWeek(7, week, DEVICES));
    expect(planWeek(8, week, DEVICES)[0].days.map((d) => d.target)).not.toEqual(planWeek(7, week, DEVICES)[0].days.map((d) => d.target));
  });
});

describe('demo secrets and roster', () => {
  it('derives distinct, well-formed keys and secrets from the seed', () => {
    const keys = DEVICES.map((d) => deviceKeyHex(1, d.id));
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(keys).size).toBe(DEVICES.length);
    expect(deviceKeyHex(2, DEVICES[0].id)).not.toBe(keys[0]);
    expect(webhookSecret(1, 'reward')).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(webhookSecret(1, 'reward')).not.toBe(webhookSecret(1, 'social'));
  });

  it('makes the three users all friends, one of them with two wearables', () => {
    expect(friendships()).toEqual([['alice', 'bao'], ['alice', 'chen'], ['bao', 'chen']]);
    expect(DEVICES.filter((d) => d.user === 'alice').map((d) => d.board)).toEqual(['BANGLEJS2', 'PUCKJS2']);
  });
});

describe('summary', () => {
  const days = [
    { user: 'bao', date: '2026-11-15', steps: 9000, rank: 1, hongbao: true, amount: 0.88 },
    { user: 'alice', date: '2026-11-16', steps: 100, rank: 2, hongbao: false, amount: 0 },
    { user: 'alice', date: '2026-11-15', steps: 9000, rank: 1, hongbao: true, amount: 0.88 },
  ];

  it('ranks in competition order: ties share a rank, the next one skips', () => {
    expect([9000, 9000, 100].map((s) => rankOf(s, [9000, 9000, 100]))).toEqual([1, 1, 3]);
  });

  it('sorts by user then date, and prints the documented JSON shape', () => {
    expect(sortDays(days).map((d) => d.user + d.date)).toEqual(['alice2026-11-15', 'alice2026-11-16', 'bao2026-11-15']);
    expect(JSON.parse(toJson({ days }))).toEqual({ days: sortDays(days) });
  });

  it('prints a date by user table', () => {
    const t = table({ days }, 8000).split('\n');
    expect(t[0]).toMatch(/^date\s+alice\s+bao$/);
    expect(t[2]).toMatch(/^2026-11-15\s+9,000 #1 ¥0\.88\s+9,000 #1 ¥0\.88$/);
    expect(t[3]).toMatch(/^2026-11-16\s+100 #2\s+-$/);
  });
});
