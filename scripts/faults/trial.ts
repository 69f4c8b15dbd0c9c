// One fault trial: `bushu serve` (its own process, on the world clock) behind a fault proxy, and
// the bridge child with the watches, killed with SIGKILL at random points and restarted (some
// restarts with the bridge's database deleted: a reinstall), each run with its own clock skew.
// After the plan's faults, a fault-free tail lets everything settle; then the oracle compares
// what the watches recorded with the services' ledger and leaderboard.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { buildSync } from 'esbuild';
import pg from 'pg';
import { simKey } from '../../sim/wearables/fleet.ts';
import { readClock } from './clock-file.ts';
import { judge, type Deleted, type Ledger, type Verdict } from './oracle.ts';
import { makePlan, OFFSET_MIN, skewFor, type Plan } from './plan.ts';
import { track } from './processes.ts';
import { startProxy, startServe, type Serve } from './services.ts';
import type { ChildArgs } from './types.ts';

const CHILD_SOURCE = fileURLToPath(new URL('./bridge-child.ts', import.meta.url));
const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));
const FIRMWARE = fileURLToPath(new URL('../../dist/firmware', import.meta.url));
let bundled: string | undefined;

/** The child as one CommonJS file; native and noble modules stay external (found through NODE_PATH). */
function childBundle(): string {
  if (bundled !== undefined) return bundled;
  const dir = mkdtempSync(join(tmpdir(), 'bushu-faults-child-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'bridge-child.cjs');
  buildSync({ entryPoints: [CHILD_SOURCE], bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['better-sqlite3', '@abandonware/noble', 'pino'], outfile: out, logLevel: 'error', define: { 'import.meta.url': 'importMetaUrl' }, banner: { js: 'const importMetaUrl = require("url").pathToFileURL(__filename).href;' } });
  bundled = out;
  return out;
}

const secret = (seed: number, what: string) => 'whsec_' + createHash('sha256').update(`bushu-faults:${seed}:${what}`).digest('base64');

export interface TrialOptions {
  /** PostgreSQL: each trial gets a fresh schema in this database. */
  databaseUrl?: string;
  keep?: boolean;
  /** Days of faults before the fault-free tail (3 by default). */
  days?: number;
  /** Bridge kills, instead of the plan's 0-4. */
  bridgeKills?: number;
  /** Most child output lines between two kills (150 by default); fewer makes each kill land sooner. */
  killWithinLines?: number;
}

export interface TrialResult extends Verdict {
  seed: number;
  bridgeKills: number;
  serviceKills: number;
  reinstalls: number;
  faults: Record<string, number>;
  runs: number;
  error?: string;
}

export async function runTrial(seed: number, o: TrialOptions = {}): Promise<TrialResult> {
  const plan = makePlan(seed, o.days);
  if (o.bridgeKills !== undefined) plan.bridgeKills = o.bridgeKills;
  const dir = mkdtempSync(join(tmpdir(), 'bushu-faults-'));
  const clockFile = join(dir, 'clock');
  const b = Buffer.alloc(8);
  b.writeDoubleLE(plan.startMs, 0);
  writeFileSync(clockFile, b);
  const secrets = { reward: secret(seed, 'reward'), social: secret(seed, 'social') };
  const adminToken = 'faults-admin-token-' + seed;
  writeFileSync(join(dir, 'services.json'), JSON.stringify({
    adminToken,
    bridges: [{ id: 'home', secrets: { reward: [secrets.reward], social: [secrets.social] } }],
    seed: {
      users: [{ id: 'ann', name: 'Ann', utcOffsetMin: OFFSET_MIN }, { id: 'bo', name: 'Bo', utcOffsetMin: OFFSET_MIN }],
      devices: plan.watches.map((w) => ({ id: w.id, user: w.user, bridge: 'home', key: Buffer.from(simKey(w.id)).toString('hex') })),
      friendships: [['ann', 'bo']],
    },
  }));
  const schema = o.databaseUrl ? `bushu_faults_${process.pid}_${seed}` : undefined;
  let databaseUrl: string | undefined;
  if (o.databaseUrl && schema) {
    const c = new pg.Client({ connectionString: o.databaseUrl });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    await c.end();
    const u = new URL(o.databaseUrl);
    u.searchParams.set('options', `-c search_path=${schema}`);
    databaseUrl = u.toString();
  }
  const faults: Record<string, number> = {};
  const count = (k: string, n = 1) => (faults[k] = (faults[k] ?? 0) + n);
  for (const f of plan.childFaults) count(f.kind === 'link' ? `link:${f.link}` : f.kind);
  count('outage', plan.outages.length);

  const serveOptions = { config: join(dir, 'services.json'), db: join(dir, 'services.db'), databaseUrl, clockFile };
  let serve: Serve | undefined;
  let restarting: Promise<void> | undefined;
  let serviceKills = 0;
  let restartError: Error | undefined;
  const now = () => readClock(clockFile);
  const killServices = () => {
    const s = serve;
    if (s === undefined || restarting) return;
    proxy.upstream = null;
    serviceKills++;
    s.process.kill('SIGKILL');
    restarting = (async () => {
      await s.exited;
      serve = await startServe(serveOptions);
      proxy.upstream = serve.port;
      restarting = undefined;
    })().catch((e: unknown) => {
      // Reported when the trial waits for the services (an unhandled rejection would end the harness).
      restartError = e as Error;
    });
  };
  const proxy = await startProxy({
    down: () => {
      const t = now();
      return plan.outages.some((x) => t >= x.from && t < x.to);
    },
    onRequest: () => {
      if (plan.serviceKillsAt.includes(proxy.requests)) setTimeout(killServices, Math.floor(plan.random() * 20));
    },
  });
  const result: TrialResult = { seed, bridgeKills: 0, serviceKills: 0, reinstalls: 0, faults, runs: 0, lost: 0, duplicated: 0, wronglyAwarded: 0, wronglyRefused: 0, misdated: 0, userDays: 0, awards: 0, excluded: [], problems: [] };
  const deleted: Deleted[] = [];
  try {
    serve = await startServe(serveOptions);
    proxy.upstream = serve.port;
    const base: Omit<ChildArgs, 'untilMs' | 'skewMs' | 'faults'> = { dir, clockFile, servicesUrl: proxy.url, secrets, watches: plan.watches, startMs: plan.startMs, offsetMin: OFFSET_MIN, firmwareDir: FIRMWARE, walkUntilMs: plan.planEnd };
    // The plan: runs until the world reaches planEnd, killed now and then.
    let kills = 0;
    let lines = 0;
    const within = o.killWithinLines ?? 150;
    let killAt = 1 + Math.floor(plan.random() * within);
    while (now() < plan.planEnd) {
      if (result.runs > plan.bridgeKills + 3) throw new Error(`did not reach the plan's end after ${result.runs} runs`);
      const skewMs = skewFor(plan.random);
      if (skewMs !== 0) count('bridge clock skew');
      const killed = await runChild({ ...base, untilMs: plan.planEnd, skewMs, faults: plan.childFaults }, () => {
        lines++;
        return kills < plan.bridgeKills && lines >= killAt;
      });
      result.runs++;
      if (!killed) break;
      kills++;
      killAt = lines + 1 + Math.floor(plan.random() * within);
      if (plan.random() < plan.reinstallChance) {
        deleted.push(reinstall(dir, now()));
        result.reinstalls++;
      }
    }
    result.bridgeKills = kills;
    // The tail: no faults, the bridge's clock right, the services up.
    plan.outages.length = 0;
    plan.serviceKillsAt.length = 0;
    await restarting;
    if (restartError) throw new Error(`bushu serve did not restart: ${restartError.message}`);
    await runChild({ ...base, untilMs: plan.tailEnd, skewMs: 0, faults: [] }, () => false);
    result.runs++;
    result.serviceKills = serviceKills;
    const ledger = await readLedger(serveOptions, schema, o.databaseUrl);
    Object.assign(result, judge({ plan, dir, ledger, deleted, bridgeDb: join(dir, 'bridge.db') }));
  } catch (e) {
    result.error = (e as Error).message;
    result.problems.push('trial error: ' + (e as Error).message);
  } finally {
    await proxy.close();
    await restarting?.catch(() => undefined);
    if (serve) {
      serve.process.kill('SIGKILL');
      await serve.exited;
    }
    if (o.databaseUrl && schema) {
      const c = new pg.Client({ connectionString: o.databaseUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    }
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
    else result.problems.push(`kept ${dir}`);
  }
  return result;
}

/** Runs the child until it exits; true when the harness killed it (`kill` said so at a line). */
async function runChild(args: ChildArgs, kill: () => boolean): Promise<boolean> {
  const nodeArgs = process.env.BUSHU_FAULTS_NODE_ARGS?.split(' ').filter(Boolean) ?? []; // e.g. --cpu-prof, to profile the child
  const child = spawn(process.execPath, [...nodeArgs, childBundle(), JSON.stringify(args)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BUSHU_FAULTS_CHILD: '1', NODE_PATH: NODE_MODULES },
  });
  track(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  createInterface({ input: child.stdout! }).on('line', () => {
    if (child.exitCode === null && child.signalCode === null && kill()) child.kill('SIGKILL');
  });
  const t0 = Date.now();
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  if (process.env.BUSHU_FAULTS_DEBUG) process.stderr.write(`\nchild run: ${Date.now() - t0} ms, ${code ?? signal}\n`);
  if (signal === 'SIGKILL') return true;
  if (code !== 0) throw new Error(`bridge child exited ${code ?? signal}: ${stderr.trim().split('\n').slice(0, 6).join(' | ')}`);
  return false;
}

/** The bridge reinstalled: its database deleted. Returns what was still undelivered in it. */
function reinstall(dir: string, at: number): Deleted {
  const file = join(dir, 'bridge.db');
  const undelivered: Deleted['undelivered'] = [];
  if (existsSync(file)) {
    const db = new Database(file);
    for (const r of db.prepare("SELECT service, device, date FROM outbox WHERE state IN ('pending', 'dead')").all() as Array<{ service: string; device: string; date: string }>) undelivered.push(r);
    db.close();
  }
  for (const f of readdirSync(dir)) if (f.startsWith('bridge.db')) rmSync(join(dir, f));
  return { at, undelivered };
}

async function readLedger(s: { db: string }, schema: string | undefined, databaseUrl: string | undefined): Promise<Ledger> {
  const queries = {
    awards: 'SELECT user_id, date, device_id, steps FROM awards',
    payouts: 'SELECT award_id FROM payouts',
    rewardDays: 'SELECT device_id, date, steps, status, record_version FROM reward_days',
    socialDays: 'SELECT device_id, date, steps, status FROM social_days',
  };
  const out: Record<string, unknown[]> = {};
  if (schema === undefined) {
    const db = new Database(s.db, { readonly: true });
    for (const [k, q] of Object.entries(queries)) out[k] = db.prepare(q).all();
    db.close();
  } else {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    await c.query(`SET search_path = ${schema}`);
    for (const [k, q] of Object.entries(queries)) out[k] = (await c.query(q)).rows;
    await c.end();
  }
  return out as unknown as Ledger;
}

export type { Plan };
