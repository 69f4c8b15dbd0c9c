// npm run bench:services -- [--clients 32] [--users 300] [--days 3] [--dup 0.2] [--json]
// Starts the services in-process on loopback, has N concurrent clients POST signed day records
// (many users and days, some deliveries duplicated as bridge retries), and reports accepted
// records per second, awards, duplicates and p50/p99 latency; then checks exactly one award per
// qualifying user-day. Runs on SQLite (a file in the temp folder, as `bushu serve --db` runs it),
// and on PostgreSQL when DATABASE_URL is set or the default local server answers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dateString, dayNumber } from '../shared/days.ts';
import { resolveConfig } from '../services/config.ts';
import { openDatabase } from '../services/db/open.ts';
import type { Db } from '../services/db/types.ts';
import { startServices } from '../services/server.ts';
import { deliver, makeRecord, newKeyHex, newWebhookSecret, signRecord } from '../test/kits/services.ts';
import { openTestDb, postgresSkipReason, T0, type Backend, type TestDb } from '../test/kits/services-server.ts';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '32' },
    users: { type: 'string', default: '300' },
    days: { type: 'string', default: '3' },
    dup: { type: 'string', default: '0.2' },
    json: { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(args.clients);
const USERS = Number(args.users);
const DAYS = Number(args.days);
const DUP = Number(args.dup);

interface Result {
  backend: Backend;
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  seconds: number;
  acceptedPerSec: number;
  awards: number;
  expectedAwards: number;
  p50Ms: number;
  p99Ms: number;
  exactlyOnce: boolean;
}

// A seeded generator, so every run (and both backends) deliver the same records.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/**
 * SQLite on a real file: in memory there is no journal to sync, so what durability costs
 * (synchronous=FULL: an fsync per commit) would not show in the figures.
 */
async function openBenchDb(backend: Backend): Promise<TestDb> {
  if (backend === 'postgres') return openTestDb('postgres');
  const dir = await mkdtemp(join(tmpdir(), 'bushu-bench-'));
  const db = await openDatabase({ sqlitePath: join(dir, 'services.db') });
  return {
    db,
    async drop() {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function run(backend: Backend): Promise<Result> {
  const t = await openBenchDb(backend);
  const secret = newWebhookSecret();
  const users = Array.from({ length: USERS }, (_, i) => ({ id: `u${i}`, device: (0xb0000000 + i).toString(16).padStart(12, '0'), key: newKeyHex() }));
  const config = resolveConfig({
    bridges: [{ id: 'bench', secrets: { reward: [secret] } }],
    seed: { users: users.map((u) => ({ id: u.id, name: `User ${u.id}` })), devices: users.map((u) => ({ id: u.device, user: u.id, bridge: 'bench', key: u.key })), friendships: [] },
  });
  const services = await startServices({ db: t.db, config, clock: () => T0 }); // fixed clock: every day within its grace period
  const random = rng(42);
  const lastDay = dayNumber('2026-11-21');
  const jobs: Array<ReturnType<typeof makeRecord>> = [];
  const expected = new Set<string>();
  for (const u of users) {
    for (let d = 0; d < DAYS; d++) {
      const date = dateString(lastDay - d);
      const steps = 4000 + Math.floor(random() * 9000);
      if (steps >= config.reward.goalSteps) expected.add(`${u.id}/${date}`);
      const rec = signRecord(makeRecord({ user: u.id, device: u.device, date, steps }), u.key, DAYS - d);
      jobs.push(rec);
      if (random() < DUP) jobs.push(rec); // a bridge retry of the same record version
    }
  }
  for (let i = jobs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [jobs[i], jobs[j]] = [jobs[j], jobs[i]];
  }
  // Counters must grow per device: deliver each device's days oldest first by keeping, per device,
  // the order of counters. Shuffling across devices is kept; within a device we sort by counter.
  const perDevice = new Map<string, typeof jobs>();
  for (const j of jobs) (perDevice.get(j.device) ?? perDevice.set(j.device, []).get(j.device)!).push(j);
  const queue: Array<typeof jobs> = [...perDevice.values()].map((list) => list.sort((a, b) => a.date.localeCompare(b.date)));

  const latencies: number[] = [];
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  const base = services.url + '/reward';
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      // Each client takes whole devices, so one device's records go in counter order.
      while (next < queue.length) {
        const list = queue[next++];
        for (const rec of list) {
          const t0 = performance.now();
          const r = await deliver(base, rec, { secret, nowSec: Math.floor(T0 / 1000) });
          latencies.push(performance.now() - t0);
          if (r.status === 200 && !r.replayed) accepted++;
          else if (r.status === 200 || r.status === 409) duplicates++;
          else rejected++;
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await services.close();
  const awards = await countAwards(t.db);
  const dupAwards = await t.db.all('SELECT user_id, date FROM awards GROUP BY user_id, date HAVING COUNT(*) > 1');
  await t.drop();
  latencies.sort((a, b) => a - b);
  return {
    backend,
    sent: jobs.length,
    accepted,
    duplicates,
    rejected,
    seconds: round(seconds),
    acceptedPerSec: Math.round(accepted / seconds),
    awards: awards.size,
    expectedAwards: expected.size,
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
    exactlyOnce: dupAwards.length === 0 && awards.size === expected.size && [...expected].every((k) => awards.has(k)),
  };
}

async function countAwards(db: Db): Promise<Set<string>> {
  return new Set((await db.all<{ user_id: string; date: string }>('SELECT user_id, date FROM awards')).map((r) => `${r.user_id}/${r.date}`));
}

const round = (x: number) => Math.round(x * 100) / 100;

const results: Result[] = [await run('sqlite')];
const pgSkip = await postgresSkipReason();
if (pgSkip === null) results.push(await run('postgres'));

if (args.json) {
  console.log(JSON.stringify({ clients: CLIENTS, users: USERS, days: DAYS, results, postgresSkipped: pgSkip }, null, 2));
} else {
  console.log(`bench:services: ${CLIENTS} concurrent clients, ${USERS} users x ${DAYS} days, ~${Math.round(DUP * 100)}% duplicate deliveries, loopback HTTP, SQLite on a file in ${tmpdir()}`);
  console.log('backend   | sent | accepted | dup/409 | rejected | accepted/s | awards (expected) | p50 ms | p99 ms | exactly once');
  for (const r of results) {
    console.log(
      `${r.backend.padEnd(9)} | ${String(r.sent).padStart(4)} | ${String(r.accepted).padStart(8)} | ${String(r.duplicates).padStart(7)} | ${String(r.rejected).padStart(8)} | ${String(r.acceptedPerSec).padStart(10)} | ${`${r.awards} (${r.expectedAwards})`.padStart(17)} | ${String(r.p50Ms).padStart(6)} | ${String(r.p99Ms).padStart(6)} | ${r.exactlyOnce ? 'yes' : 'NO'}`,
    );
  }
  if (pgSkip) console.log(`postgresql: skipped (${pgSkip})`);
}
if (results.some((r) => !r.exactlyOnce || r.rejected > 0)) process.exitCode = 1;
