// Test and benchmark harness: a database (SQLite in memory or a fresh PostgreSQL schema) and a
// running server on port 0 with a controllable clock, three registered users whose devices the
// bridge "home" serves, and a second bridge, "neighbour", that serves none of them.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { resolveConfig, type ConfigInput, type ServicesConfig } from '../../services/config.ts';
import { openDatabase } from '../../services/db/open.ts';
import { postgresReachable } from '../../services/db/postgres.ts';
import type { Db } from '../../services/db/types.ts';
import type { Payer } from '../../services/reward/payouts.ts';
import { startServices, type RunningServices } from '../../services/server.ts';
import { newKeyHex, newWebhookSecret } from './services.ts';

export const TEST_PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type Backend = 'sqlite' | 'postgres';

export interface TestDb {
  db: Db;
  /** The PostgreSQL schema, for opening a second pool on the same data. */
  schema?: string;
  drop(): Promise<void>;
}

/** Reason PostgreSQL tests are skipped, or null when it answers. */
export async function postgresSkipReason(): Promise<string | null> {
  // A refused connection answers at once; the wait is for a server busy with another test file's
  // bulk inserts on two cores: with the default 1.5 s the check once failed so, with no error in the
  // server's log, and a whole PostgreSQL suite was skipped.
  return (await postgresReachable(TEST_PG_URL, 15_000)) ? null : `PostgreSQL not reachable at ${TEST_PG_URL.replace(/\/\/[^@/]*@/, '//…@')}`;
}

export async function openTestDb(backend: Backend, schema?: string): Promise<TestDb> {
  if (backend === 'sqlite') {
    const db = await openDatabase({ sqlitePath: ':memory:' });
    return { db, drop: () => db.close() };
  }
  const s = schema ?? `bushu_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const db = await openDatabase({ databaseUrl: TEST_PG_URL, schema: s, poolSize: 12 });
  return {
    db,
    schema: s,
    async drop() {
      await db.exec(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      await db.close();
    },
  };
}

export const T0 = Date.parse('2026-11-21T02:00:00Z'); // 10:00 in UTC+8, the morning after 2026-11-20

export interface Harness {
  url: string;
  reward: string;
  social: string;
  db: Db;
  config: ServicesConfig;
  /** The secrets of bridge "home", which serves every seed device. */
  rewardSecret: string;
  socialSecret: string;
  /** The secrets of bridge "neighbour": valid credentials, but for none of the seed devices. */
  neighbour: { reward: string; social: string };
  adminToken: string;
  /** Headers that read as the admin (every read needs a credential). */
  asAdmin: { authorization: string };
  keys: Record<string, string>;
  clock: { now: number };
  nowSec(): number;
  services: RunningServices;
  close(): Promise<void>;
}

/**
 * alice (device a1a1a1a1a1a1 and a2a2a2a2a2a2), bob (b1b1b1b1b1b1) and carol (c1c1c1c1c1c1), all
 * friends of alice; every device served by bridge "home". Overriding `bridges` replaces both.
 */
export async function startHarness(db: Db, overrides: ConfigInput = {}, payer?: Payer): Promise<Harness> {
  const rewardSecret = newWebhookSecret();
  const socialSecret = newWebhookSecret();
  const neighbour = { reward: [newWebhookSecret()], social: [newWebhookSecret()] };
  const adminToken = randomBytes(16).toString('hex');
  const keys: Record<string, string> = { a1a1a1a1a1a1: newKeyHex(), a2a2a2a2a2a2: newKeyHex(), b1b1b1b1b1b1: newKeyHex(), c1c1c1c1c1c1: newKeyHex() };
  const config = resolveConfig({
    adminToken,
    ...overrides,
    bridges: overrides.bridges ?? [
      { id: 'home', secrets: { reward: [rewardSecret], social: [socialSecret] } },
      { id: 'neighbour', secrets: neighbour },
    ],
    seed: overrides.seed ?? {
      users: [{ id: 'alice', name: 'Alice' }, { id: 'bob', name: 'Bob' }, { id: 'carol', name: 'Carol' }],
      devices: [
        { id: 'a1a1a1a1a1a1', user: 'alice', bridge: 'home', key: keys.a1a1a1a1a1a1 },
        { id: 'a2a2a2a2a2a2', user: 'alice', bridge: 'home', key: keys.a2a2a2a2a2a2 },
        { id: 'b1b1b1b1b1b1', user: 'bob', bridge: 'home', key: keys.b1b1b1b1b1b1 },
        { id: 'c1c1c1c1c1c1', user: 'carol', bridge: 'home', key: keys.c1c1c1c1c1c1 },
      ],
      friendships: [['alice', 'bob'], ['alice', 'carol']],
    },
  });
  const clock = { now: T0 };
  const services = await startServices({ db, config, clock: () => clock.now, payer, onError: () => undefined });
  return {
    url: services.url,
    reward: services.url + '/reward',
    social: services.url + '/social',
    db,
    config,
    rewardSecret,
    socialSecret,
    neighbour: { reward: neighbour.reward[0], social: neighbour.social[0] },
    adminToken,
    asAdmin: { authorization: `Bearer ${adminToken}` },
    keys,
    clock,
    nowSec: () => Math.floor(clock.now / 1000),
    services,
    close: () => services.close(),
  };
}

/** Row counts of every table a day record can touch: proof that a rejection stored nothing. */
export async function tableCounts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['reward_days', 'social_days', 'awards', 'payouts', 'idempotency_keys', 'users', 'devices']) {
    const [r] = await db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`);
    out[t] = Number(r.n);
  }
  const counters = await db.all<{ id: string; last_counter: number | null }>('SELECT id, last_counter FROM devices ORDER BY id');
  out.counters = counters.reduce((a, c) => a + (c.last_counter === null ? 0 : Number(c.last_counter)), 0);
  return out;
}

/** A fresh in-memory SQLite database and harness for each test of the calling file: `ctx.h`. */
export function harnessPerTest(): { h: Harness } {
  const ctx = {} as { h: Harness; t: TestDb };
  beforeEach(async () => {
    ctx.t = await openTestDb('sqlite');
    ctx.h = await startHarness(ctx.t.db);
  });
  afterEach(async () => {
    await ctx.h.close();
    await ctx.t.drop();
  });
  return ctx;
}

/** One database on `backend` and one harness for all the tests of the calling describe block: `ctx.h`. */
export function harnessPerSuite(backend: Backend, overrides: ConfigInput = {}): { h: Harness; t: TestDb } {
  const ctx = {} as { h: Harness; t: TestDb };
  beforeAll(async () => {
    ctx.t = await openTestDb(backend);
    ctx.h = await startHarness(ctx.t.db, overrides);
  });
  afterAll(async () => {
    await ctx.h?.close();
    await ctx.t?.drop();
  });
  return ctx;
}
