// Crash trials for the bridge's store and delivery: run test/kits/crash-child.ts, SIGKILL it
// at seeded random points (its own checkpoints, and requests arriving at the recorder, before
// they are answered), restart it until it finishes, then count what was lost or duplicated.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { Store } from '../../bridge/store/store.ts';
import { readWatch, writeWatch, type ChildArgs, type WatchRecord } from './crash-child.ts';
import { startRecorder } from './http-recorder.ts';
import { rng } from './prng.ts';

const CHILD_SOURCE = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));
let bundled: string | undefined;

/** The child as one CommonJS file (better-sqlite3 stays external, found through NODE_PATH). */
function childBundle(): string {
  if (bundled !== undefined) return bundled;
  const out = join(mkdtempSync(join(tmpdir(), 'bushu-crash-child-')), 'crash-child.cjs');
  buildSync({ entryPoints: [CHILD_SOURCE], bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['better-sqlite3'], outfile: out, logLevel: 'error' });
  bundled = out;
  return out;
}
const SERVICES = ['alpha', 'beta'];
const DEVICE = 'c0ffee00c4a5';

export interface TrialResult {
  seed: number;
  kills: number;
  records: number;
  requests: number;
  /** Second successful deliveries of a key, plus a key reused with another body. */
  duplicates: number;
  /** Acknowledged days missing or stale in the store, or whose latest totals no service got. */
  lost: number;
  /** A service that got an older version of a day after a newer one. */
  outOfOrder: number;
  /** Repeats the recorder answered from its idempotency cache (each a crash window hit). */
  replays: number;
  problems: string[];
}

/** A watch history: a few days, each written several times while open, then closed. */
function history(random: () => number): WatchRecord[] {
  const out: WatchRecord[] = [];
  for (let d = 0; d < 4; d++) {
    let steps = 0;
    const updates = 1 + Math.floor(random() * 3);
    for (let u = 0; u <= updates; u++) {
      steps += Math.floor(random() * 3) === 0 ? 0 : 1 + Math.floor(random() * 2000); // sometimes unchanged
      out.push({ seq: out.length + 1, date: `2026-11-${String(10 + d).padStart(2, '0')}`, steps, closed: u === updates });
    }
  }
  return out;
}

export async function runTrial(seed: number, maxKills = 4): Promise<TrialResult> {
  const random = rng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'bushu-crash-'));
  const records = history(random);
  const watchFile = join(dir, 'watch.json');
  writeWatch(watchFile, { device: DEVICE, records, ack: 0 });
  let events = 0;
  let killAt = 1 + Math.floor(random() * 30);
  let kills = 0;
  let child: ReturnType<typeof spawn> | undefined;
  const event = () => {
    events++;
    if (kills < maxKills && events === killAt && child?.exitCode === null) child.kill('SIGKILL');
  };
  const recorder = await startRecorder({ onRequest: event });
  const args: ChildArgs = { db: join(dir, 'bushu.db'), watchFile, recorderUrl: recorder.url, services: SERVICES, secret: 'whsec_AA==', batch: 3 };
  try {
    for (let run = 0; ; run++) {
      if (run > maxKills + 1) throw new Error(`seed ${seed}: did not finish after ${run} runs`);
      child = spawn(process.execPath, [childBundle(), JSON.stringify(args)], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, BUSHU_CRASH_CHILD: '1', NODE_PATH: NODE_MODULES },
      });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      createInterface({ input: child.stdout! }).on('line', event);
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child!.on('exit', (c, s) => resolve([c, s])));
      if (signal === 'SIGKILL') {
        kills++;
        killAt = events + 1 + Math.floor(random() * 25);
        continue;
      }
      if (code !== 0) throw new Error(`seed ${seed}: child exited ${code ?? signal}: ${stderr}`);
      break;
    }
    return { seed, kills, records: records.length, requests: recorder.requests.length, replays: recorder.stats.replays, ...check(args, recorder) };
  } finally {
    await recorder.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function check(args: ChildArgs, recorder: Awaited<ReturnType<typeof startRecorder>>) {
  const problems: string[] = [];
  const watch = readWatch(args.watchFile);
  const store = Store.open(args.db);
  const latest = new Map<string, WatchRecord>();
  for (const r of watch.records) if (r.seq <= watch.ack) latest.set(r.date, r);
  if (watch.ack !== watch.records.length) problems.push(`watch acknowledged ${watch.ack} of ${watch.records.length}`);
  let lost = 0;
  let duplicates = recorder.stats.conflicts;
  let outOfOrder = 0;
  const accepted = [...recorder.accepted.values()].sort((a, b) => a.order - b.order);
  for (const a of accepted) duplicates += a.count - 1;
  for (const [date, r] of latest) {
    const day = store.day(DEVICE, date);
    if (day === undefined || day.steps !== r.steps || day.closed !== r.closed) {
      lost++;
      problems.push(`${date}: acknowledged ${r.steps} steps (seq ${r.seq}), store has ${day?.steps}`);
      continue;
    }
    for (const service of SERVICES) {
      const got = accepted.filter((a) => a.key.startsWith(`bushu:${service}:${DEVICE}:${date}:`)).map((a) => JSON.parse(a.body));
      const versions = got.map((b) => b.recordVersion as number);
      if (versions.some((v, i) => i > 0 && v <= versions[i - 1])) outOfOrder++;
      const last = got.reduce((m, b) => (m === undefined || b.recordVersion > m.recordVersion ? b : m), undefined);
      if (last === undefined || last.steps !== r.steps || last.closed !== r.closed) {
        lost++;
        problems.push(`${service} ${date}: latest delivered ${last?.steps} steps, acknowledged ${r.steps}`);
      }
    }
  }
  const left = store.outbox().filter((r) => r.state === 'pending' || r.state === 'dead');
  if (left.length > 0) problems.push(`${left.length} outbox rows still pending or dead`);
  store.close();
  return { duplicates, lost, outOfOrder, problems };
}
