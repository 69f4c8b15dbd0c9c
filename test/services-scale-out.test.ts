// Scale out: two `bushu serve` processes (the compiled CLI, as deployed) started together on one
// database, each sent every delivery at the same time, as two instances behind a load balancer
// with a bridge retrying through both. Every user-day that earns gets exactly one award and one
// payout, whichever process handled it; both pay out concurrently with their payout workers.
// PostgreSQL (one schema), and SQLite (one file, two processes).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dateString, localDay } from '../shared/days.ts';
import { openDatabase } from '../services/db/open.ts';
import type { Db } from '../services/db/types.ts';
import { deliver, makeRecord, newKeyHex, newWebhookSecret, signRecord } from './kits/services.ts';
import { postgresSkipReason, TEST_PG_URL, type Backend } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();
if (pgSkip) console.warn(`services-scale-out: PostgreSQL tests skipped: ${pgSkip}`);
const BIN = fileURLToPath(new URL('../bin/bushu.js', import.meta.url));
const USERS = 16;

/** Start `bushu serve --port 0`; resolves with its URL once it prints the dashboard line. */
async function serve(cwd: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--config', 'services.json', '--db', 'services.db'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  for await (const line of createInterface({ input: child.stdout! })) {
    const url = /^\s+dashboard\s+(http:\/\/\S+)\/$/.exec(line)?.[1];
    if (url !== undefined) {
      child.stdout!.resume(); // the payout worker logs every payment
      return { child, url };
    }
  }
  throw new Error(`bushu serve exited before listening (stderr ${stderr})`);
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

for (const [backend, skip] of [['postgres', pgSkip], ['sqlite', null]] as Array<[Backend, string | null]>) {
  describe.skipIf(skip !== null)(`two bushu serve processes on one ${backend} database${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let dir = '';
    let schema = '';
    let env: NodeJS.ProcessEnv = {};
    let db: Db | undefined;
    const children: ChildProcess[] = [];

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'bushu-scale-'));
      env = { ...process.env };
      delete env.DATABASE_URL;
      if (backend === 'postgres') {
        schema = `bushu_scale_${process.pid}_${randomBytes(3).toString('hex')}`;
        const admin = await openDatabase({ databaseUrl: TEST_PG_URL, schema }); // creates the schema
        await admin.close();
        const url = new URL(TEST_PG_URL);
        url.searchParams.set('options', `-c search_path=${schema}`);
        env.DATABASE_URL = url.toString();
      }
    });
    afterEach(async () => {
      for (const c of children.splice(0)) expect(await stop(c)).toBe(0);
      await db?.close();
      db = undefined;
      if (backend === 'postgres') {
        // A bare client: openDatabase would migrate the database's default schema on the way.
        const admin = new pg.Client({ connectionString: TEST_PG_URL });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      }
      await rm(dir, { recursive: true, force: true });
    });

    it('awards each qualifying user-day once and pays it once, whichever process takes the delivery', async () => {
      const secret = newWebhookSecret();
      const users = Array.from({ length: USERS }, (_, i) => ({ id: `u${i}`, device: (0xd0000000 + i).toString(16).padStart(12, '0'), key: newKeyHex() }));
      await writeFile(
        join(dir, 'services.json'),
        JSON.stringify({
          adminToken: randomBytes(16).toString('hex'),
          bridges: [{ id: 'home', secrets: { reward: [secret] } }],
          seed: { users: users.map((u) => ({ id: u.id, name: u.id })), devices: users.map((u) => ({ id: u.device, user: u.id, bridge: 'home', key: u.key })), friendships: [] },
        }),
      );
      // Started together: both migrate and register the seed at once.
      const servers = await Promise.all([serve(dir, env), serve(dir, env)]);
      children.push(...servers.map((s) => s.child));

      // Yesterday and the day before in UTC+8 (within the grace period), synced now: the services run on the real clock.
      const nowMs = Date.now();
      const today = localDay(nowMs, 480);
      const syncedAt = new Date(nowMs - 60_000).toISOString();
      const expected = new Set<string>();
      const sends: Array<Promise<{ status: number }>> = [];
      users.forEach((u, i) => {
        for (let d = 1; d <= 2; d++) {
          const date = dateString(today - d);
          const steps = (i + d) % 3 === 0 ? 6000 : 9000;
          if (steps >= 8000) expected.add(`${u.id}/${date}`);
          const rec = signRecord(makeRecord({ user: u.id, device: u.device, date, steps, syncedAt }), u.key, 10 - d);
          for (const s of servers) sends.push(deliver(`${s.url}/reward`, rec, { secret, nowSec: Math.floor(nowMs / 1000) }));
        }
      });
      const statuses = (await Promise.all(sends)).map((r) => r.status);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);

      db = await openDatabase(backend === 'postgres' ? { databaseUrl: TEST_PG_URL, schema } : { sqlitePath: join(dir, 'services.db') });
      const awards = await db.all<{ user_id: string; date: string; n: number }>('SELECT user_id, date, COUNT(*) AS n FROM awards GROUP BY user_id, date');
      expect(awards.every((a) => Number(a.n) === 1)).toBe(true);
      expect(new Set(awards.map((a) => `${a.user_id}/${a.date}`))).toEqual(expected);
      const [orphans] = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM awards a LEFT JOIN payouts p ON p.award_id = a.id WHERE p.id IS NULL');
      expect(Number(orphans.n)).toBe(0);
      // Both payout workers (every 5 s) run on the same rows: each payout ends paid once.
      const payouts = async () => db!.all<{ state: string; attempts: number }>('SELECT state, attempts FROM payouts');
      await expect.poll(async () => (await payouts()).every((p) => p.state === 'paid'), { timeout: 20_000, interval: 250 }).toBe(true);
      const rows = await payouts();
      expect(rows).toHaveLength(expected.size);
      expect(rows.every((p) => Number(p.attempts) === 1)).toBe(true);
    });
  });
}
