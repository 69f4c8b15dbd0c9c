// End to end: runDemo runs the real services, bridge, noble on simulated air and the real built
// firmware in EspruinoSim, so these tests are slow (seconds, not minutes: the 'light' walking
// profile). Time inside is the simulated world's; nothing here waits on the wall clock.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo, type DemoResult } from '../demo/run.ts';
import { DEVICES, USERS } from '../demo/roster.ts';
import { Store } from '../bridge/store/store.ts';
import { GOAL_STEPS } from '../shared/rewards.ts';

const BIN = fileURLToPath(new URL('../bin/bushu.js', import.meta.url));
const exec = promisify(execFile);
const NOW = Date.UTC(2026, 10, 21, 4, 0, 0); // the real "now" of the first run: 12:00 in UTC+8
const DATES = ['2026-11-15', '2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21'];
const TODAY = DATES[6];
const SLOW = 240_000;

interface Day {
  user: string;
  date: string;
  steps: number;
  rank: number;
  hongbao: boolean;
  amount: number;
}

let dir = '';
let first: { result: DemoResult; json: string; log: string[] };

async function demo(): Promise<{ result: DemoResult; json: string; log: string[] }> {
  const log: string[] = [];
  let json = '';
  const result = await runDemo({ dataDir: dir, once: true, json: true, port: 0, profile: 'light', realNow: () => NOW, log: (l) => log.push(l), out: (t) => (json += t) });
  return { result, json, log };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bushu-demo-'));
  first = await demo();
}, SLOW);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runDemo --once', () => {
  it('prints one JSON object with an entry per user and day of the week', () => {
    const days = (JSON.parse(first.json) as { days: Day[] }).days;
    expect(first.json.endsWith('}\n')).toBe(true);
    expect(days.map((d) => `${d.user} ${d.date}`)).toEqual(USERS.flatMap((u) => DATES.map((d) => `${u} ${d}`)));
    expect(days).toEqual(first.result.summary.days);
  });

  it('awards a hongbao exactly on the closed days with at least 8,000 steps, none for the open day', () => {
    const days = first.result.summary.days;
    // today is open: its running total is delivered (unsigned) and ranked, but earns nothing yet
    for (const d of days.filter((x) => x.date === TODAY)) expect(d.steps, d.user).toBeGreaterThan(0);
    for (const d of days) {
      const earned = d.date !== TODAY && d.steps >= GOAL_STEPS;
      expect(d.hongbao, `${d.user} ${d.date} ${d.steps}`).toBe(earned);
      expect(d.amount).toBe(earned ? 0.88 : 0);
    }
    // the plan puts every user on both sides of the goal
    for (const u of USERS) {
      const closed = days.filter((d) => d.user === u && d.date !== TODAY);
      expect(closed.some((d) => d.hongbao) && closed.some((d) => !d.hongbao), u).toBe(true);
    }
    expect(first.result.awardedNew).toBe(days.filter((d) => d.hongbao).length);
  });

  it('ranks each day by steps among the three friends', () => {
    const days = first.result.summary.days;
    for (const date of DATES) {
      const that = days.filter((d) => d.date === date);
      for (const d of that) expect(d.rank, `${d.user} ${date}`).toBe(1 + that.filter((o) => o.steps > d.steps).length);
    }
  });

  it("gives the user with two wearables the max of their devices' days, and the Puck wins some", () => {
    const store = Store.open(join(dir, 'bridge.db'));
    try {
      const [bangle, puck] = DEVICES.filter((d) => d.user === 'alice').map((d) => new Map(store.days({ devices: [d.id] }).map((x) => [x.date, x.steps])));
      const alice = first.result.summary.days.filter((d) => d.user === 'alice' && d.date !== TODAY);
      for (const d of alice) expect(d.steps, d.date).toBe(Math.max(bangle.get(d.date) ?? 0, puck.get(d.date) ?? 0));
      expect(alice.filter((d) => (puck.get(d.date) ?? 0) > (bangle.get(d.date) ?? 0)).length).toBe(2);
      // the closed days counted by the real firmware are close to the plan, not copied from it
      expect(store.days().filter((d) => d.closed && d.summary !== null).length).toBe(DEVICES.length * 6);
    } finally {
      store.close();
    }
  });

  it('logs each sync and each award, without touching stdout', () => {
    expect(first.log.filter((l) => / sync /.test(l))).toHaveLength(DEVICES.length * 7);
    expect(first.log.filter((l) => / award /.test(l))).toHaveLength(first.result.awardedNew);
    expect(first.log).toContain(`awarded ${first.result.awardedNew} new (${first.result.awardsTotal} hongbao in the ledger)`);
  });
});

describe('a second run on the same data directory', () => {
  it('re-syncs the same watches, awards nothing new and prints the same JSON', async () => {
    const again = await demo();
    expect(again.json).toBe(first.json);
    expect(again.result.awardedNew).toBe(0);
    expect(again.result.awardsTotal).toBe(first.result.awardsTotal);
    expect(again.log.filter((l) => / sync /.test(l))).toHaveLength(DEVICES.length);
    expect(again.log.filter((l) => / award /.test(l))).toHaveLength(0);
    expect(again.log).toContain(`awarded 0 new (${first.result.awardsTotal} hongbao in the ledger)`);
  }, SLOW);
});

describe('without --once', () => {
  it('prints the dashboard URL, serves it until told to stop, then closes the services', async () => {
    const log: string[] = [];
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    let page: Promise<Response> | undefined;
    const result = await runDemo({
      dataDir: dir, port: 0, json: true, out: () => {}, stop: stopped,
      log: (l) => {
        log.push(l);
        // While it serves: fetch the dashboard, then ask the demo to stop.
        if (l.startsWith('dashboard: ')) page = fetch(l.split(' ')[1]).finally(stop);
      },
    });
    expect(log).toContain(`dashboard: ${result.url}/  (Ctrl-C to stop)`);
    expect((await page!).status).toBe(200);
    expect(log[log.length - 1]).toBe('stopping');
    await expect(fetch(result.url + '/healthz')).rejects.toThrow();
  }, SLOW);
});

describe('an interrupted run', () => {
  it('resumes from the last evening checkpoint and ends with the same awards as an uninterrupted run', async () => {
    const other = await mkdtemp(join(tmpdir(), 'bushu-demo-resume-'));
    try {
      const run = (maxRounds?: number) => {
        let json = '';
        const log: string[] = [];
        return runDemo({ dataDir: other, once: true, json: true, port: 0, profile: 'light', realNow: () => NOW, maxRounds, log: (l) => log.push(l), out: (t) => (json += t) }).then((result) => ({ result, json, log }));
      };
      const part = await run(2);
      expect(part.log.filter((l) => / sync /.test(l))).toHaveLength(DEVICES.length * 2);
      const rest = await run();
      // from the evening before the 2nd midnight: that midnight's round again, then 5 more
      expect(rest.log.filter((l) => / sync /.test(l))).toHaveLength(DEVICES.length * 6);
      expect(rest.log.filter((l) => /dead|error|warn/.test(l))).toEqual([]);
      // Resumed watches boot from flash: the pedometer's carried-over fraction of a step is lost
      // at the reboot, and its once-a-second look at a resting wrist falls on other samples, so
      // each later walk may start its windows up to a second apart: counts may differ by a few
      // steps a day; awards may not.
      const resumed = rest.result.summary.days;
      const straight = first.result.summary.days;
      expect(resumed.map((d) => [d.user, d.date, d.hongbao, d.amount])).toEqual(straight.map((d) => [d.user, d.date, d.hongbao, d.amount]));
      resumed.forEach((d, i) => expect(Math.abs(d.steps - straight[i].steps), `${d.user} ${d.date}`).toBeLessThanOrEqual(10));
      expect(part.result.awardedNew + rest.result.awardedNew).toBe(first.result.awardedNew);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  }, SLOW);
});

describe('bushu demo (CLI)', () => {
  it('--once --json prints only the documented JSON on stdout', async () => {
    const { stdout, stderr } = await exec(process.execPath, [BIN, 'demo', '--once', '--json', '--data', dir, '--port', '0'], { timeout: SLOW });
    const parsed = JSON.parse(stdout) as { days: Day[] };
    expect(Object.keys(parsed)).toEqual(['days']);
    for (const d of parsed.days) {
      expect(Object.keys(d)).toEqual(['user', 'date', 'steps', 'rank', 'hongbao', 'amount']);
      expect(d.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number.isInteger(d.steps) && Number.isInteger(d.rank) && typeof d.hongbao === 'boolean' && typeof d.amount === 'number').toBe(true);
    }
    expect(stdout).toBe(first.json);
    expect(stderr).toContain('awarded 0 new');
  }, SLOW);

  it('says clearly when the data directory cannot be used, or was made with another seed', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const bad = await exec(process.execPath, [BIN, 'demo', '--once', '--data', file]).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 1 });
    expect((bad as { stderr: string }).stderr).toMatch(/^bushu: demo: cannot create data directory .*not-a-dir/);
    const seed = await exec(process.execPath, [BIN, 'demo', '--once', '--data', dir, '--seed', '2']).catch((e: { code: number; stderr: string }) => e);
    expect(seed).toMatchObject({ code: 1 });
    expect((seed as { stderr: string }).stderr).toContain('was created with seed 1, not 2: use --seed 1');
  }, SLOW);
});
