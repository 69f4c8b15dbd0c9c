// npm run bench:services -- [--clients 32] [--client-procs 2] [--users 300] [--days 3] [--dup 0.2]
//   [--growth-users 2000] [--growth-days 90] [--no-growth] [--no-throughput] [--backend sqlite|postgres|both] [--rounds 3]
//   [--parts 4] [--warm-users 2000 (0: none)] [--json]
//   [--cpu-prof DIR] (each services and ceiling process writes a V8 CPU profile there, for Chrome DevTools)
// Measures `bushu serve` the way a deployment sees it: the services in their own process on the
// database `bushu serve` uses (a SQLite file; PostgreSQL when DATABASE_URL is set or the local
// default answers), the clients in other processes over keep-alive connections, and, in the same
// run on the same kind of database, the ceiling: a bare node:http server that parses the same body
// and does one INSERT … ON CONFLICT DO NOTHING. Prints accepted/s, p50/p99, SQL statements and
// transactions per delivery, the ratio to the ceiling, CPU per request of the server, the database
// (PostgreSQL on this machine, from /proc) and the clients, exactly-once, payouts per second, and a
// growth run: acceptance, leaderboard, 30-day history and dashboard load with no stored days and
// with --growth-users × --growth-days of them seeded directly in the database. Every figure is the
// median of --rounds rounds (the throughput run repeated; growth acceptance on as many user sets,
// the ratio the median of the rounds' ratios). Within a round the servers compared (the ceiling and
// the services; the empty and the stored database) are all up at once and take turns, each round's
// deliveries cut into --parts parts (see loads).
// Every server, ceiling and services alike, is warmed before it is timed: --warm-users other users'
// deliveries (3 days each, as many redelivered), untimed, through the same client processes. 2,000
// (~7,200 requests) is what it takes for a round's rate to hold steady from its first tenth to its
// last on a 2-core machine: after 300, the ceiling and the clients were still getting faster
// through the round (600 requests in its first tenth, 1,400 in its last), which flattered the ratio.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dateString, dayNumber } from '../shared/days.ts';
import { signWebhook } from '../shared/webhook.ts';
import type { ConfigInput } from '../services/config.ts';
import type { Db } from '../services/db/types.ts';
import { runPayouts } from '../services/reward/payouts.ts';
import { keyId } from '../services/reward/trust.ts';
import type { DbSpec } from './bench-services/spec.ts';
import { openSpecDb } from './bench-services/spec.ts';
import type { Prepared } from './bench-services/client.ts';
import { makeRecord, newKeyHex, newWebhookSecret, signRecord } from '../test/kits/services.ts';
import { postgresSkipReason, T0, TEST_PG_URL, type Backend } from '../test/kits/services-server.ts';

/** The options, or one line and exit code 2 for an unknown one. */
function options() {
  try {
    return parseArgs({
      options: {
        clients: { type: 'string', default: '32' },
        'client-procs': { type: 'string', default: '2' },
        users: { type: 'string', default: '300' },
        days: { type: 'string', default: '3' },
        dup: { type: 'string', default: '0.2' },
        'growth-users': { type: 'string', default: '2000' },
        'growth-days': { type: 'string', default: '90' },
        'no-growth': { type: 'boolean', default: false },
        'no-throughput': { type: 'boolean', default: false },
        backend: { type: 'string', default: 'both' },
        rounds: { type: 'string', default: '3' },
        parts: { type: 'string', default: '4' },
        'warm-users': { type: 'string', default: '2000' },
        json: { type: 'boolean', default: false },
        'cpu-prof': { type: 'string' },
      },
    }).values;
  } catch (err) {
    console.error(`bench:services: ${(err as Error).message}`);
    process.exit(2);
  }
}
const args = options();
const CLIENTS = Number(args.clients);
const CLIENT_PROCS = Math.max(1, Math.min(CLIENTS, Number(args['client-procs'])));
const USERS = Number(args.users);
const DAYS = Number(args.days);
const DUP = Number(args.dup);
const GROWTH_USERS = Number(args['growth-users']);
const GROWTH_DAYS = Number(args['growth-days']);
const ROUNDS = Number(args.rounds);
const PARTS = Number(args.parts);
const WARM_USERS = Number(args['warm-users']);
if (!Number.isInteger(WARM_USERS) || WARM_USERS < 0) {
  console.error('bench:services: --warm-users must be a non-negative integer (0: time each server from its start)');
  process.exit(2);
}
for (const [name, v] of Object.entries({ rounds: ROUNDS, parts: PARTS, clients: CLIENTS, users: USERS, days: DAYS, 'growth-users': GROWTH_USERS, 'growth-days': GROWTH_DAYS })) {
  if (!Number.isInteger(v) || v < 1) {
    console.error(`bench:services: --${name} must be a positive integer`);
    process.exit(2);
  }
}

if (!['sqlite', 'postgres', 'both'].includes(args.backend!)) {
  console.error(`bench:services: --backend must be sqlite, postgres or both, got ${args.backend}`);
  process.exit(2);
}

const HERE = new URL('./bench-services/', import.meta.url);
const LAST_DAY = dayNumber('2026-11-21'); // T0 is the morning of 2026-11-21 in UTC+8
const FRIENDS = 10; // each user's circle in the growth run
const KEY_DAYS = 7; // Idempotency-Keys live 7 days (idempotencyKeyTtlHours): a deployment with a year of days holds a week of keys
const ADMIN_TOKEN = randomBytes(16).toString('hex');

interface User {
  id: string;
  device: string;
  key: string;
}

interface Child {
  proc: ChildProcess;
  next(): Promise<any>;
}

const SPEC_DIR = mkdtempSync(join(tmpdir(), 'bushu-bench-spec-'));
process.on('exit', () => rmSync(SPEC_DIR, { recursive: true, force: true }));
let specCount = 0;

/** A child process running one of ./bench-services/*.ts under tsx, with its messages queued. */
function start(file: string, spec: unknown): Child {
  // The spec goes in a file: a services process's seed (every user's key) outgrows the environment.
  const specFile = join(SPEC_DIR, `${file}-${specCount++}.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  const proc = fork(new URL(file, HERE).pathname, [], { execArgv: ['--import', 'tsx', ...((file === 'server.ts' || file === 'baseline.ts') && args['cpu-prof'] !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`] : [])], env: { ...process.env, BENCH_SPEC_FILE: specFile }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: unknown[] = [];
  const waiting: Array<(m: unknown) => void> = [];
  proc.on('message', (m) => (waiting.length > 0 ? waiting.shift()!(m) : inbox.push(m)));
  proc.on('exit', (code) => {
    if (code !== 0) for (const w of waiting.splice(0)) w({ kind: 'exit', code });
  });
  return {
    proc,
    next: () => (inbox.length > 0 ? Promise.resolve(inbox.shift()) : new Promise((resolve) => waiting.push(resolve))),
  };
}

async function stop(c: Child): Promise<void> {
  if (c.proc.exitCode !== null) return;
  const exited = new Promise((resolve) => c.proc.once('exit', resolve));
  c.proc.send('stop');
  await exited;
}

/** CPU seconds a process has used so far (user + system, all its threads), from /proc; null where there is none. */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ, 100 on Linux)
  } catch {
    return null;
  }
}

/** The local PostgreSQL server's processes (backends, WAL writer, checkpointer…), or none where it is not on this machine. */
function postgresPids(): number[] {
  try {
    return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
}

/** CPU used during fn by each group of processes, or null for a group that cannot be read; database processes are found when fn starts and ends. */
async function cpuDuring<T>(groups: Record<string, () => number[]>, fn: () => Promise<T>): Promise<{ result: T; cpu: Record<string, number | null> }> {
  const read = () => {
    const seen: Record<string, Map<number, number>> = {};
    for (const [name, pids] of Object.entries(groups)) seen[name] = new Map(pids().map((pid) => [pid, cpuSeconds(pid)]).filter((e): e is [number, number] => e[1] !== null));
    return seen;
  };
  const before = read();
  const result = await fn();
  const after = read();
  const cpu: Record<string, number | null> = {};
  for (const name of Object.keys(groups)) {
    if (after[name].size === 0) cpu[name] = null;
    else cpu[name] = [...after[name]].reduce((sum, [pid, t]) => sum + t - (before[name].get(pid) ?? 0), 0);
  }
  return { result, cpu };
}

interface Load {
  sent: number;
  /** CPU milliseconds per request: the server process, the database's processes (PostgreSQL on this machine; SQLite runs inside the server), the client processes. */
  cpuMs: { server: number | null; database: number | null; clients: number | null };
  accepted: number;
  replayed: number;
  refused: Record<string, number>;
  seconds: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  /** The untimed warm-up's p99: the server's first requests after it started. */
  warmUpP99Ms: number;
  warmUpSent: number;
}

/**
 * Writes every dirty page out before a part (`sync`, untimed), so that no part pays for the
 * writes another left behind: on ext4 (data=ordered) a commit's fsync also writes out data other
 * processes left dirty, and the SQLite ceiling fsyncs every insert. Where there is no `sync`
 * command, nothing.
 */
function settleDisk(): void {
  try {
    execFileSync('sync', { stdio: 'ignore' });
  } catch {
    // no sync command: parts may pay for each other's writes
  }
}

/** A server to load: its queues (timed) and warm-up (untimed), and hooks around its parts. */
interface Target {
  url: string;
  pid: number;
  backend: Backend;
  queues: Prepared[][];
  warm?: Prepared[][];
  /** After the warm-up, before the first timed part. */
  afterWarmUp?: () => Promise<void>;
  /** Around each timed part (a growth side counts its WAL and disk reads). */
  beforePart?: () => Promise<void>;
  afterPart?: () => Promise<void>;
}

/**
 * Deliver each target's queues from CLIENT_PROCS processes with CLIENTS loops in all; queues are
 * dealt round-robin. Every target's `warm` queues go first, untimed (every answer must be 200).
 * Then the targets take turns: each one's queues are cut into `parts`, and part i of every target
 * is delivered before part i + 1 of any, in turn (A B, then B A, ...). The machine's speed drifts
 * by ±25% over seconds (on this 2-core machine a 4 s round of one server ran at 2,000/s, the next
 * at 3,000/s, with nothing else running): rounds of one server after the other compared moments
 * up to half a minute apart, and one round's ratio ranged over 0.55 to 1.2. In turns of a second,
 * both sides see the same machine. A target's figures are over all its parts.
 */
async function loads(targets: Target[], parts = 1): Promise<Load[]> {
  const clients = Array.from({ length: CLIENT_PROCS }, (_, i) => start('client.ts', { loops: Math.floor(CLIENTS / CLIENT_PROCS) + (i < CLIENTS % CLIENT_PROCS ? 1 : 0) }));
  await Promise.all(clients.map((c) => c.next()));
  const dealt = (list: Prepared[][], i: number) => list.filter((_, j) => j % CLIENT_PROCS === i);
  /** Points every client at a server with its share of the queues; resolves once all have them. */
  const aim = async (url: string, warm: Prepared[][], queues: Prepared[][]) => {
    clients.forEach((c, i) => c.proc.send({ url, warm: dealt(warm, i), queues: dealt(queues, i) }));
    await Promise.all(clients.map((c) => c.next())); // loaded: a part starts with every client holding its queues
  };
  const warmLatencies: number[][] = [];
  for (const t of targets) {
    await aim(t.url, t.warm ?? [], []);
    for (const c of clients) c.proc.send('warm');
    const warmed = (await Promise.all(clients.map((c) => c.next()))) as Array<{ statuses: Record<string, number>; latencies: number[] }>;
    for (const w of warmed) {
      const refused = Object.entries(w.statuses).filter(([status]) => status !== '200');
      if (refused.length > 0) throw new Error(`the warm-up was refused (${JSON.stringify(Object.fromEntries(refused))}): the benchmark's deliveries are broken`);
    }
    warmLatencies.push(warmed.flatMap((w) => w.latencies).sort((a, b) => a - b));
    await t.afterWarmUp?.();
  }
  type Tally = { latencies: number[]; statuses: Record<string, number>; replayed: number; seconds: number; cpu: Record<string, number | null> };
  const tallies: Tally[] = targets.map(() => ({ latencies: [], statuses: {}, replayed: 0, seconds: 0, cpu: { server: 0, database: 0, clients: 0 } }));
  for (let part = 0; part < parts; part++) {
    const order = targets.map((_, i) => (part % 2 === 0 ? i : targets.length - 1 - i));
    for (const i of order) {
      const t = targets[i];
      if (t.queues.length === 0) continue; // a warm-up only
      const per = Math.ceil(t.queues.length / parts);
      await aim(t.url, [], t.queues.slice(part * per, (part + 1) * per));
      settleDisk();
      await t.beforePart?.();
      const start0 = performance.now();
      const database = t.backend === 'postgres' ? postgresPids : () => [];
      const { result: results, cpu } = await cpuDuring({ server: () => [t.pid], database, clients: () => clients.map((c) => c.proc.pid!) }, () => {
        for (const c of clients) c.proc.send('go');
        return Promise.all(clients.map((c) => c.next() as Promise<{ latencies: number[]; statuses: Record<string, number>; replayed: number }>));
      });
      const tally = tallies[i];
      tally.seconds += (performance.now() - start0) / 1000;
      await t.afterPart?.();
      for (const r of results) {
        tally.latencies.push(...r.latencies);
        tally.replayed += r.replayed;
        for (const [code, n] of Object.entries(r.statuses)) tally.statuses[code] = (tally.statuses[code] ?? 0) + n;
      }
      for (const [name, used] of Object.entries(cpu)) tally.cpu[name] = used === null || tally.cpu[name] === null ? null : tally.cpu[name]! + used;
    }
  }
  await Promise.all(clients.map((c) => stop(c)));
  return tallies.map((tally, i) => {
    const latencies = tally.latencies.sort((a, b) => a - b);
    const ok = tally.statuses['200'] ?? 0;
    const refused = Object.fromEntries(Object.entries(tally.statuses).filter(([code]) => code !== '200'));
    const perRequest = (x: number | null | undefined) => (x === null || x === undefined ? null : round((x * 1000) / latencies.length, 3));
    return {
      sent: latencies.length,
      cpuMs: { server: perRequest(tally.cpu.server), database: perRequest(tally.cpu.database), clients: perRequest(tally.cpu.clients) },
      accepted: ok - tally.replayed,
      replayed: tally.replayed,
      refused,
      seconds: round(tally.seconds),
      perSec: Math.round((ok - tally.replayed) / tally.seconds),
      p50Ms: round(percentile(latencies, 0.5)),
      p99Ms: round(percentile(latencies, 0.99)),
      warmUpP99Ms: round(percentile(warmLatencies[i], 0.99)),
      warmUpSent: warmLatencies[i].length,
    };
  });
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
/** The middle value, or the mean of the two middle ones (an even number of rounds would otherwise take the upper one). */
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** n users, each with a device and its key; `warm` ones (another id prefix and device range) for the warm-ups. */
function makeUsers(n: number, warm = false): User[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${warm ? 'w' : 'u'}${i}`, device: ((warm ? 0xc0000000 : 0xb0000000) + i).toString(16).padStart(12, '0'), key: newKeyHex() }));
}

/**
 * Each user's days lastDay-days+1 … lastDay, signed with counters firstCounter… (oldest first),
 * some delivered twice (a bridge retry), as queues of one device each (its days in counter order).
 */
function deliveries(users: User[], days: number, firstCounter: number, secret: string, random: () => number): { queues: Prepared[][]; expected: Set<string> } {
  const expected = new Set<string>();
  const queues: Prepared[][] = [];
  for (const u of users) {
    const queue: Prepared[] = [];
    for (let d = days - 1; d >= 0; d--) {
      const date = dateString(LAST_DAY - d);
      const steps = 4000 + Math.floor(random() * 9000);
      if (steps >= 8000) expected.add(`${u.id}/${date}`);
      const rec = signRecord(makeRecord({ user: u.id, device: u.device, date, steps }), u.key, firstCounter + days - 1 - d);
      const body = JSON.stringify(rec);
      const key = `bushu:reward:${u.device}:${date}:1`;
      const p = { path: '/reward/v1/days', headers: { 'content-type': 'application/json', 'idempotency-key': key, ...signWebhook(secret, key, Math.floor(T0 / 1000), body) }, body };
      queue.push(p);
      if (random() < DUP) queue.push(p);
    }
    queues.push(queue);
  }
  // Devices in random order, so the server sees users interleaved.
  for (let i = queues.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [queues[i], queues[j]] = [queues[j], queues[i]];
  }
  return { queues, expected };
}

/** A fresh database of the backend's kind; drop() removes it. */
async function freshDb(backend: Backend): Promise<{ spec: DbSpec; drop(): Promise<void> }> {
  if (backend === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'bushu-bench-'));
    return { spec: { sqlitePath: join(dir, 'services.db') }, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const schema = `bushu_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  return {
    spec: { databaseUrl: TEST_PG_URL, schema },
    async drop() {
      const db = await openSpecDb({ databaseUrl: TEST_PG_URL });
      await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.close();
    },
  };
}

function serviceConfig(secret: string, seedUsers: User[]): ConfigInput {
  return {
    adminToken: ADMIN_TOKEN,
    bridges: [{ id: 'bench', secrets: { reward: [secret] } }],
    seed: { users: seedUsers.map((u) => ({ id: u.id, name: `User ${u.id}` })), devices: seedUsers.map((u) => ({ id: u.device, user: u.id, bridge: 'bench', key: u.key })), friendships: [] },
  };
}

async function startServer(spec: DbSpec, config: ConfigInput): Promise<{ child: Child; url: string }> {
  const child = start('server.ts', { ...spec, config, nowMs: T0 });
  const ready = await child.next();
  if (ready.kind !== 'ready') throw new Error(`the services process did not start (${JSON.stringify(ready)})`);
  child.proc.send('reset');
  await child.next();
  return { child, url: ready.url };
}

interface Throughput {
  backend: Backend;
  baseline: Load;
  /** SQLite: the one-insert server committing through the services' own adapter (group commit, fsync off the event loop). */
  groupedBaseline: Load | null;
  services: Load;
  ratio: number;
  /** Each round's ratio, in the order run (the median's spread). */
  ratios?: number[];
  groupedRatio: number | null;
  statementsPerDelivery: number;
  transactionsPerDelivery: number;
  awards: number;
  expectedAwards: number;
  exactlyOnce: boolean;
  payoutsPerSec: number;
}

async function throughput(backend: Backend): Promise<Throughput> {
  const secret = newWebhookSecret();
  const users = makeUsers(USERS);
  const { queues, expected } = deliveries(users, DAYS, 1, secret, rng(42));
  const warmUsers = makeUsers(WARM_USERS, true);
  const warm = deliveries(warmUsers, DAYS, 1, secret, rng(43));
  for (const k of warm.expected) expected.add(k);

  // The ceiling (on SQLite also the grouped one) and the services, each on a fresh database of its
  // own, all up at once, warmed, then timed in turns (loads).
  const ceilings = await Promise.all((backend === 'sqlite' ? [false, true] : [false]).map(async (grouped) => {
    const base = await freshDb(backend);
    const child = start('baseline.ts', { ...base.spec, grouped });
    const { url: ceilingUrl } = (await child.next()) as { url: string };
    return { base, child, target: { url: ceilingUrl, pid: child.proc.pid!, backend, queues, warm: warm.queues } };
  }));
  const fresh = await freshDb(backend);
  const { child, url } = await startServer(fresh.spec, serviceConfig(secret, [...users, ...warmUsers]));
  // The statements are counted from the end of the warm-up, as the rates are.
  const reset = async () => {
    child.proc.send('reset');
    await child.next();
  };
  const measured = await loads([...ceilings.map((c) => c.target), { url, pid: child.proc.pid!, backend, queues, warm: warm.queues, afterWarmUp: reset }], PARTS);
  for (const c of ceilings) {
    await stop(c.child);
    await c.base.drop();
  }
  const baseline = measured[0];
  // On SQLite, also the ceiling with the services' group commit (PostgreSQL's adapter has none).
  const groupedBaseline = backend === 'sqlite' ? measured[1] : null;
  const services = measured[measured.length - 1];
  child.proc.send('stats');
  const stats = (await child.next()) as { statements: number; transactions: number };
  await stop(child);

  const db = await openSpecDb(fresh.spec);
  const awards = new Set((await db.all<{ user_id: string; date: string }>('SELECT user_id, date FROM awards')).map((r) => `${r.user_id}/${r.date}`));
  const doubled = await db.all('SELECT user_id, date FROM awards GROUP BY user_id, date HAVING COUNT(*) > 1');
  const payoutsPerSec = await payoutRate(db);
  await db.close();
  await fresh.drop();
  return {
    backend,
    baseline,
    groupedBaseline,
    services,
    ratio: round(services.perSec / baseline.perSec),
    groupedRatio: groupedBaseline === null ? null : round(services.perSec / groupedBaseline.perSec),
    statementsPerDelivery: round(stats.statements / services.sent),
    transactionsPerDelivery: round(stats.transactions / services.sent),
    awards: awards.size,
    expectedAwards: expected.size,
    exactlyOnce: doubled.length === 0 && awards.size === expected.size && [...expected].every((k) => awards.has(k)),
    payoutsPerSec,
  };
}

/** Pay every pending payout (a payer that does nothing), in the worker's batches; payouts per second. */
async function payoutRate(db: Db): Promise<number> {
  const t0 = performance.now();
  let paid = 0;
  for (;;) {
    const r = await runPayouts(db, { pay: async () => undefined }, T0);
    paid += r.paid;
    if (r.paid + r.failed === 0) break;
  }
  return Math.round(paid / ((performance.now() - t0) / 1000));
}

/** Users, their devices and circles, and `days` signed days each before the last 3, written straight into the database. */
async function seedDirect(db: Db, users: User[], days: number): Promise<void> {
  const BATCH = 500;
  for (let i = 0; i < users.length; i += BATCH) {
    const chunk = users.slice(i, i + BATCH);
    await db.tx(async (q) => {
      for (const u of chunk) {
        await q.run('INSERT INTO users (id, name, utc_offset_min, created_at) VALUES ($1, $2, 480, $3)', [u.id, `User ${u.id}`, T0]);
      }
      for (const u of chunk) {
        await q.run('INSERT INTO device_owners (device_id, user_id) VALUES ($1, $2)', [u.device, u.id]);
        await q.run('INSERT INTO devices (id, user_id, bridge_id, key_hex, last_counter, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [u.device, u.id, 'bench', u.key, days || null, T0]);
      }
    });
  }
  for (let i = 0; i < users.length; i++) {
    await db.tx(async (q) => {
      for (let f = 1; f <= FRIENDS / 2; f++) {
        const j = (i + f) % users.length;
        if (j === i) continue;
        await q.run('INSERT INTO friendships (user_id, friend_id) VALUES ($1, $2), ($2, $1) ON CONFLICT DO NOTHING', [users[i].id, users[j].id]);
      }
    });
  }
  if (days === 0) return;
  // Each user's days as one JSON parameter, unpacked by the database: a few statements per user.
  const rowsOf = (n: number) => db.dialect === 'postgres'
    ? `SELECT x.date, x.steps, x.day_counter FROM json_to_recordset(CAST($${n} AS JSON)) AS x(date TEXT, steps INTEGER, day_counter INTEGER)`
    : `SELECT json_extract(value, '$.date') AS date, json_extract(value, '$.steps') AS steps, json_extract(value, '$.day_counter') AS day_counter FROM json_each($${n})`;
  const hours = JSON.stringify(Array.from({ length: 24 }, (_, h) => (h >= 7 && h <= 21 ? 600 : 0)));
  const random = rng(7);
  for (let i = 0; i < users.length; i += 50) {
    await db.tx(async (q) => {
      for (const u of users.slice(i, i + 50)) {
        const list = Array.from({ length: days }, (_, d) => ({ date: dateString(LAST_DAY - 3 - (days - 1 - d)), steps: 3000 + Math.floor(random() * 10000), day_counter: d + 1 }));
        const json = JSON.stringify(list);
        await q.run(
          `INSERT INTO reward_days (device_id, date, user_id, record_version, source, utc_offset_min, steps, hours, not_worn, closed, counter, status, reasons, firmware, synced_at, received_at, key_id, epoch)
           SELECT $1, x.date, $2, 1, 'bushu', 480, x.steps, $3, '[]', 1, x.day_counter, 'verified', '[]', '0.2.0', '2026-01-01T00:00:00.000Z', $4, $6, NULL FROM (${rowsOf(5)}) x`,
          [u.device, u.id, hours, T0, json, keyId(u.key)],
        );
        await q.run(
          `INSERT INTO social_days (device_id, date, user_id, record_version, source, utc_offset_min, steps, hours, status, reasons, firmware, synced_at, received_at, epoch)
           SELECT $1, x.date, $2, 1, 'bushu', 480, x.steps, $3, 'counted', '[]', '0.2.0', '2026-01-01T00:00:00.000Z', $4, NULL FROM (${rowsOf(5)}) x`,
          [u.device, u.id, hours, T0, json],
        );
        // Each award paid: PostgreSQL in the award's statement; SQLite after it, from the awards numbered after the last
        // one so far (its rowid). Neither reads the user's awards, which no index keys by user (migration 012).
        const awards = `INSERT INTO awards (user_id, date, device_id, steps, amount_fen, created_at)
           SELECT $2, x.date, $1, x.steps, 888, $3 FROM (${rowsOf(4)}) x WHERE x.steps >= 8000`;
        const pay = (time: string, from: string) => `INSERT INTO payouts (award_id, user_id, amount_fen, state, created_at, paid_at) SELECT id, user_id, 888, 'paid', ${time}, ${time} FROM ${from}`;
        if (db.dialect === 'postgres') await q.run(`WITH a AS (${awards} RETURNING id, user_id) ${pay('$3', 'a')}`, [u.device, u.id, T0, json]);
        else {
          const [last] = await q.all<{ id: number }>('SELECT COALESCE(MAX(id), 0) AS id FROM awards');
          await q.run(awards, [u.device, u.id, T0, json]);
          await q.run(`${pay('$1', 'awards')} WHERE id > $2`, [T0, Number(last.id)]);
        }
        // The Idempotency-Keys such a deployment holds: its last KEY_DAYS days' deliveries (the keys' expiry).
        await q.run(
          `INSERT INTO idempotency_keys (scope, key, request_hash, state, status, response, locked_at, created_at)
           SELECT 'reward/bench', 'bushu:reward:' || $1 || ':' || x.date || ':1', 'seeded', 'done', 200, '{"accepted":true}', $2, $2 FROM (${rowsOf(3)}) x WHERE x.day_counter > $4`,
          [u.device, T0, json, days - KEY_DAYS],
        );
      }
    });
  }
  // This schema's tables only: a bare ANALYZE on PostgreSQL takes every schema of the database, and
  // would record the empty side's tables (alive beside this one, see the growth run) as empty,
  // which plans sequential scans of them that the rounds then grow (11 ms a request).
  // On PostgreSQL, VACUUM as well: a deployment that has held a year of days has long been vacuumed
  // by autovacuum, while the seed's millions of rows are fresh. Left so, autovacuum would start on
  // them during the rounds (the inserts cross its threshold) and every first read of a seeded row
  // would set its hint bits and dirty its page: costs of the seed, not of the year.
  if (db.dialect === 'sqlite') await db.exec('ANALYZE');
  else {
    const tables = await db.all<{ name: string }>('SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()');
    await db.exec(`VACUUM (ANALYZE) ${tables.map((t) => `"${t.name}"`).join(', ')}`);
  }
  // A database at rest: the seed's WAL written back, so no checkpoint of it lands in the timing.
  if (db.dialect === 'sqlite') await db.all('PRAGMA wal_checkpoint(TRUNCATE)');
  else {
    // PostgreSQL's checkpointer would otherwise write the seed's gigabytes back during the rounds
    // (over minutes: checkpoint_completion_target), on both sides' time. CHECKPOINT needs a
    // superuser or pg_checkpoint; without it the rounds run as they are, and the output says so.
    try {
      await db.exec('CHECKPOINT');
    } catch (err) {
      console.error(`bench:services: CHECKPOINT after the seed refused (${(err as Error).message}): the seed's write-back may land in the rounds`);
    }
  }
}

interface GrowthRow {
  /** PostgreSQL: blocks of this side's tables and indexes read from outside shared buffers, per delivery. */
  blocksReadPerDelivery: number | null;
  /** PostgreSQL: WAL bytes written per delivery sent during the rounds (full-page images after a checkpoint are most of a stored year's extra). */
  walBytesPerDelivery: number | null;
  /** Linux: kilobytes the whole machine read from its disks during the rounds, per delivery sent (see diskReadKb). */
  diskKbPerDelivery: number | null;
  storedDays: number;
  seedSeconds: number;
  acceptedPerSec: number;
  p99Ms: number;
  /** CPU milliseconds per request of the services process plus the database's (PostgreSQL on this machine), median of the rounds: steadier than the rate on a shared machine. */
  cpuMs: number | null;
  /** The database's part of cpuMs (PostgreSQL's processes), median of the rounds. */
  databaseCpuMs: number | null;
  leaderboardMs: number;
  historyMs: number;
  dashboardMs: number;
  dashboardBytes: number;
}

async function timed(url: string, path: string, n = 15, warmUp = 5): Promise<{ ms: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  // The first requests of a run also time this process's fetch and the services' code being
  // compiled: the first path timed (the empty side's leaderboard) read twice the stored side's.
  for (let i = -warmUp; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(url + path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 200)}`);
    if (i >= 0) times.push(performance.now() - t0);
    bytes = text.length;
  }
  return { ms: round(median(times)), bytes };
}

/** One side of the growth run (no stored days, or GROWTH_DAYS of them): its database seeded, its services up, its reads timed. */
interface GrowthSide {
  days: number;
  /** The users whose new days the rounds deliver; the seed's other users (warmUsers) warm the server up. */
  users: User[];
  secret: string;
  fresh: { spec: DbSpec; drop(): Promise<void> };
  child: Child;
  url: string;
  seedSeconds: number;
  reads: { leaderboard: number; history: number; dashboard: number; dashboardBytes: number };
  rounds: Load[];
  /** PostgreSQL: the schema's blocks read from outside shared buffers when its rounds began. */
  blocksReadBefore: number | null;
  /** PostgreSQL: WAL bytes written during this side's rounds (the other side is idle meanwhile). */
  walBytes: number;
  /** Kilobytes read from disk during this side's rounds (null where /proc/vmstat is not). */
  diskKb: number | null;
}

/**
 * Kilobytes the machine has read from its block devices since boot (Linux /proc/vmstat pgpgin),
 * null elsewhere. Machine-wide, but during a round the other side is idle. A stored year is more
 * than a database keeps in its buffers, and a host may not keep the rest in its page cache either
 * (the development machine runs DAMON with a pageout scheme: file pages untouched for a minute go
 * back to disk), so the index pages of a round's users come back from disk, each read waiting in a
 * batch's statement. The empty side reads none. This shows how much of the growth ratio that is.
 */
function diskReadKb(): number | null {
  try {
    const line = readFileSync('/proc/vmstat', 'utf8').split('\n').find((l) => l.startsWith('pgpgin '));
    return line === undefined ? null : Number(line.slice('pgpgin '.length));
  } catch {
    return null;
  }
}

/** PostgreSQL: the WAL's insert position in bytes, exact at any moment (unlike the statistics views, which backends report up to a second late). */
async function walPosition(spec: DbSpec): Promise<number | null> {
  if (spec.schema === undefined) return null;
  const db = await openSpecDb({ databaseUrl: spec.databaseUrl });
  try {
    const [row] = await db.all<{ n: string }>(`SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0') AS n`);
    return Number(row.n);
  } finally {
    await db.close();
  }
}

/**
 * PostgreSQL: blocks of the schema's tables and indexes read from outside shared buffers so far
 * (pg_statio_user_tables). A backend reports its counts when idle or when it exits, so the figure
 * is read before the first round and after the services have stopped.
 */
async function blocksRead(spec: DbSpec): Promise<number | null> {
  if (spec.schema === undefined) return null;
  const db = await openSpecDb({ databaseUrl: spec.databaseUrl });
  try {
    const [row] = await db.all<{ n: number | null }>(
      'SELECT SUM(heap_blks_read + COALESCE(idx_blks_read, 0) + COALESCE(toast_blks_read, 0) + COALESCE(tidx_blks_read, 0)) AS n FROM pg_statio_user_tables WHERE schemaname = $1',
      [spec.schema],
    );
    return Number(row.n ?? 0);
  } finally {
    await db.close();
  }
}

async function openGrowth(backend: Backend, days: number): Promise<GrowthSide> {
  const secret = newWebhookSecret();
  const users = makeUsers(GROWTH_USERS);
  const fresh = await freshDb(backend);
  const db = await openSpecDb(fresh.spec);
  const t0 = performance.now();
  await seedDirect(db, users, days);
  const seedSeconds = round((performance.now() - t0) / 1000);
  await db.close();
  const { child, url } = await startServer(fresh.spec, serviceConfig(secret, []));
  // Reads first, on the stored data, before any acceptance round.
  const me = users[Math.floor(users.length / 2)].id;
  const date = dateString(LAST_DAY - 3);
  const leaderboard = await timed(url, `/social/v1/users/${me}/leaderboard?date=${date}`);
  const history = await timed(url, `/social/v1/users/${me}/history?to=${date}`);
  const dashboard = await timed(url, `/api/users`);
  const overview = await timed(url, `/api/users/${me}/overview?date=${date}`);
  // Then the warm-up: the last few users' new days, untimed (see loads); the rounds take the others.
  const warmUsers = users.splice(users.length - growthWarmUsers(users.length));
  const warm = deliveries(warmUsers, 3, days + 1, secret, rng(8));
  await loads([{ url, pid: child.proc.pid!, backend, queues: [], warm: warm.queues }]);
  return {
    days, users, secret, fresh, child, url, seedSeconds, rounds: [], blocksReadBefore: await blocksRead(fresh.spec), walBytes: 0, diskKb: diskReadKb() === null ? null : 0,
    reads: { leaderboard: leaderboard.ms, history: history.ms, dashboard: round(dashboard.ms + overview.ms), dashboardBytes: dashboard.bytes + overview.bytes },
  };
}

/** How many of the growth run's users warm its servers up: --warm-users, and never more than a round's share. */
const growthWarmUsers = (users: number) => Math.min(WARM_USERS, Math.floor(users / (ROUNDS + 1)));
/** Users per growth round: each round its own (so no round replays another's), at most --users. */
const growthRoundUsers = (users: number) => Math.max(1, Math.floor(Math.min((users - growthWarmUsers(users)) / ROUNDS, USERS)));

/** Acceptance round r on one side, to load (see loads): the new days of its own users, the same users on both sides; each part's WAL and disk reads counted. */
function growthTarget(side: GrowthSide, backend: Backend, r: number): Target {
  const per = growthRoundUsers(GROWTH_USERS);
  const { queues } = deliveries(side.users.slice(r * per, (r + 1) * per), 3, side.days + 1, side.secret, rng(9 + r));
  let walBefore: number | null = null;
  let diskBefore: number | null = null;
  return {
    url: side.url,
    pid: side.child.proc.pid!,
    backend,
    queues,
    beforePart: async () => {
      walBefore = await walPosition(side.fresh.spec);
      diskBefore = diskReadKb();
    },
    afterPart: async () => {
      const diskAfter = diskReadKb();
      const walAfter = await walPosition(side.fresh.spec);
      if (walBefore !== null && walAfter !== null) side.walBytes += walAfter - walBefore;
      side.diskKb = side.diskKb === null || diskBefore === null || diskAfter === null ? null : side.diskKb + diskAfter - diskBefore;
    },
  };
}

async function closeGrowth(side: GrowthSide): Promise<GrowthRow> {
  await stop(side.child);
  const after = await blocksRead(side.fresh.spec);
  const delivered = side.rounds.reduce((sum, x) => sum + x.sent, 0);
  await side.fresh.drop();
  const cpu = side.rounds.map((x) => (x.cpuMs.server === null ? null : x.cpuMs.server + (x.cpuMs.database ?? 0)));
  return {
    storedDays: side.days * GROWTH_USERS,
    seedSeconds: side.seedSeconds,
    acceptedPerSec: Math.round(median(side.rounds.map((x) => x.perSec))),
    p99Ms: round(median(side.rounds.map((x) => x.p99Ms))),
    cpuMs: cpu.some((c) => c === null) ? null : round(median(cpu as number[]), 3),
    databaseCpuMs: side.rounds.some((x) => x.cpuMs.database === null) ? null : round(median(side.rounds.map((x) => x.cpuMs.database!)), 3),
    leaderboardMs: side.reads.leaderboard,
    historyMs: side.reads.history,
    dashboardMs: side.reads.dashboard,
    dashboardBytes: side.reads.dashboardBytes,
    blocksReadPerDelivery: after === null || side.blocksReadBefore === null ? null : round((after - side.blocksReadBefore) / delivered),
    walBytesPerDelivery: side.fresh.spec.schema === undefined ? null : Math.round(side.walBytes / delivered),
    diskKbPerDelivery: side.diskKb === null ? null : round(side.diskKb / delivered),
  };
}

const backends: Backend[] = args.backend === 'postgres' ? [] : ['sqlite'];
const pgSkip = args.backend === 'sqlite' ? 'not asked for (--backend sqlite)' : await postgresSkipReason();
if (pgSkip === null) backends.push('postgres');

/** The median round of each figure (each column its own median). */
function medianOf(rounds: Throughput[]): Throughput {
  const m = (f: (t: Throughput) => number) => round(median(rounds.map(f)), 3);
  const load = (f: (t: Throughput) => Load | null): Load | null => {
    const ls = rounds.map(f).filter((l): l is Load => l !== null);
    if (ls.length === 0) return null;
    const ml = (g: (l: Load) => number) => round(median(ls.map(g)), 3);
    const cpu = (g: (c: Load['cpuMs']) => number | null) => (ls.some((l) => g(l.cpuMs) === null) ? null : ml((l) => g(l.cpuMs)!));
    return { ...ls[0], cpuMs: { server: cpu((c) => c.server), database: cpu((c) => c.database), clients: cpu((c) => c.clients) }, sent: ml((l) => l.sent), accepted: ml((l) => l.accepted), replayed: ml((l) => l.replayed), seconds: ml((l) => l.seconds), perSec: Math.round(ml((l) => l.perSec)), p50Ms: ml((l) => l.p50Ms), p99Ms: ml((l) => l.p99Ms), warmUpP99Ms: ml((l) => l.warmUpP99Ms), refused: Object.assign({}, ...ls.map((l) => l.refused)) };
  };
  return {
    ...rounds[0],
    baseline: load((t) => t.baseline)!,
    groupedBaseline: load((t) => t.groupedBaseline),
    services: load((t) => t.services)!,
    ratio: m((t) => t.ratio),
    ratios: rounds.map((t) => t.ratio),
    groupedRatio: rounds[0].groupedRatio === null ? null : m((t) => t.groupedRatio!),
    statementsPerDelivery: m((t) => t.statementsPerDelivery),
    transactionsPerDelivery: m((t) => t.transactionsPerDelivery),
    payoutsPerSec: Math.round(m((t) => t.payoutsPerSec)),
    exactlyOnce: rounds.every((t) => t.exactlyOnce),
  };
}

const results: Throughput[] = [];
for (const b of args['no-throughput'] ? [] : backends) {
  const rounds: Throughput[] = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(await throughput(b));
  results.push(medianOf(rounds));
}
const growth: Array<{ backend: Backend; empty: GrowthRow; big: GrowthRow; ratio: number; ratios: number[] }> = [];
if (!args['no-growth']) {
  for (const b of backends) {
    // Both sides up at once, taking turns within each round (see loads).
    const empty = await openGrowth(b, 0);
    const big = await openGrowth(b, GROWTH_DAYS);
    // Which side goes first alternates too: a part leaves work behind (a checkpoint, dirty
    // pages) that the next one pays for, and the stored side leaves more.
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const sides = r % 2 === 0 ? [empty, big] : [big, empty];
      const measured = await loads(sides.map((side) => growthTarget(side, b, r)), PARTS);
      sides.forEach((side, i) => side.rounds.push(measured[i]));
      ratios.push(measured[sides.indexOf(big)].perSec / measured[sides.indexOf(empty)].perSec);
    }
    growth.push({ backend: b, empty: await closeGrowth(empty), big: await closeGrowth(big), ratio: round(median(ratios)), ratios: ratios.map((x) => round(x)) });
  }
}

if (args.json) {
  console.log(JSON.stringify({ rounds: ROUNDS, clients: CLIENTS, clientProcesses: CLIENT_PROCS, users: USERS, days: DAYS, dup: DUP, results, growth, postgresSkipped: pgSkip }, null, 2));
} else {
  console.log(`bench:services: ${CLIENTS} clients in ${CLIENT_PROCS} processes (keep-alive), ${USERS} users x ${DAYS} days, ~${Math.round(DUP * 100)}% redelivered; services and ceiling each in their own process; SQLite on a file in ${tmpdir()}; medians of ${ROUNDS} rounds`);
  console.log('backend   | ceiling/s | accepted/s | ratio | p50 ms | p99 ms | ceiling p99 | stmts/delivery | tx/delivery | refused | awards (expected) | exactly once | payouts/s');
  for (const r of results) {
    console.log(
      [r.backend.padEnd(9), String(r.baseline.perSec).padStart(9), String(r.services.perSec).padStart(10), String(r.ratio).padStart(5), String(r.services.p50Ms).padStart(6), String(r.services.p99Ms).padStart(6),
        String(r.baseline.p99Ms).padStart(11), String(r.statementsPerDelivery).padStart(14), String(r.transactionsPerDelivery).padStart(11), JSON.stringify(r.services.refused).padStart(7),
        `${r.awards} (${r.expectedAwards})`.padStart(17), (r.exactlyOnce ? 'yes' : 'NO').padStart(12), String(r.payoutsPerSec).padStart(9)].join(' | '),
    );
  }
  for (const r of results) {
    const warm = r.services.warmUpSent === 0 ? '' : `; p99 of the untimed warm-up (a freshly started server's first ${r.services.warmUpSent} requests): services ${r.services.warmUpP99Ms} ms, ceiling ${r.baseline.warmUpP99Ms} ms`;
    console.log(`${r.backend}: ratio to the ceiling in each round: ${r.ratios!.join(', ')}${warm}`);
  }
  const ms = (x: number | null) => (x === null ? '—' : x.toFixed(3));
  if (results.length > 0) console.log('CPU ms per request | server process | database | clients');
  for (const r of results) {
    for (const [name, l] of [['ceiling', r.baseline], ['services', r.services]] as const) {
      const database = r.backend === 'sqlite' ? 'in the server' : ms(l.cpuMs.database);
      console.log([`${r.backend} ${name}`.padEnd(18), ms(l.cpuMs.server).padStart(14), database.padStart(8), ms(l.cpuMs.clients).padStart(7)].join(' | '));
    }
  }
  for (const r of results) {
    if (r.groupedBaseline !== null) console.log(`${r.backend}: ceiling through the services' adapter (group commit, fsync off the event loop) ${r.groupedBaseline.perSec}/s (p99 ${r.groupedBaseline.p99Ms} ms): ratio ${r.groupedRatio}`);
  }
  if (growth.length > 0) {
    console.log(`growth: ${GROWTH_USERS} users (${FRIENDS} friends each), empty vs ${GROWTH_DAYS} stored days each; acceptance of ${growthRoundUsers(GROWTH_USERS)} users x 3 new days per round, after ${growthWarmUsers(GROWTH_USERS)} users' untimed; reads are medians of 15 (admin token)`);
    console.log('backend   | stored days | seeded in s | accepted/s | p99 ms | CPU ms/request | leaderboard ms | 30-day history ms | dashboard ms (/api/users + overview, bytes)');
    for (const g of growth) {
      for (const row of [g.empty, g.big]) {
        console.log([g.backend.padEnd(9), String(row.storedDays).padStart(11), String(row.seedSeconds).padStart(11), String(row.acceptedPerSec).padStart(10), String(row.p99Ms).padStart(6), (row.cpuMs === null ? '—' : row.cpuMs.toFixed(3) + (row.databaseCpuMs === null ? '' : ` (db ${row.databaseCpuMs.toFixed(3)})`)).padStart(14), String(row.leaderboardMs).padStart(14), String(row.historyMs).padStart(17), `${row.dashboardMs} (${row.dashboardBytes})`].join(' | '));
      }
      const cpuRatio = (g.empty.cpuMs === null || g.big.cpuMs === null ? '' : `; CPU per request, empty / stored: ${round(g.empty.cpuMs / g.big.cpuMs)}`)
        + (g.big.blocksReadPerDelivery === null ? '' : `; blocks read from outside shared buffers per delivery, empty / stored: ${g.empty.blocksReadPerDelivery} / ${g.big.blocksReadPerDelivery}`)
        + (g.big.walBytesPerDelivery === null ? '' : `; WAL bytes per delivery, empty / stored: ${g.empty.walBytesPerDelivery} / ${g.big.walBytesPerDelivery}`)
        + (g.big.diskKbPerDelivery === null ? '' : `; KB read from disk per delivery (the whole machine's, /proc/vmstat), empty / stored: ${g.empty.diskKbPerDelivery} / ${g.big.diskKbPerDelivery}`);
      console.log(`${g.backend.padEnd(9)} | acceptance with stored days / empty (median of the alternating rounds' ratios): ${g.ratio} (rounds: ${g.ratios.join(', ')})${cpuRatio}`);
    }
  }
  if (pgSkip) console.log(`postgresql: skipped (${pgSkip})`);
}
if (results.some((r) => !r.exactlyOnce || Object.keys(r.services.refused).length > 0)) process.exitCode = 1;
