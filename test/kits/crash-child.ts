// The process the crash harness kills. It plays the bridge against a fake watch kept in a JSON
// file: read the records after the cursor, commitSync, and only then write ACK (after which the
// watch forgets them), while the delivery loop posts to the harness's http-recorder. It prints
// "cp" at each checkpoint so the harness can SIGKILL it there, and exits 0 once everything is
// synced and delivered. The harness bundles it with esbuild (a child starts in a fraction of
// the time tsx takes) and runs it with BUSHU_CRASH_CHILD=1 and the JSON arguments.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Subject } from 'rxjs';
import { deliveryLoop } from '../../bridge/delivery/loop.ts';
import { Store } from '../../bridge/store/store.ts';
import type { DayInput } from '../../bridge/store/types.ts';

export interface WatchRecord {
  seq: number;
  date: string;
  steps: number;
  closed: boolean;
}

export interface Watch {
  device: string;
  records: WatchRecord[];
  /** Highest seq the bridge acknowledged: the watch has dropped every record up to it. */
  ack: number;
}

export interface ChildArgs {
  db: string;
  watchFile: string;
  recorderUrl: string;
  services: string[];
  secret: string;
  batch: number;
}

export function readWatch(file: string): Watch {
  return JSON.parse(readFileSync(file, 'utf8')) as Watch;
}

/** Atomic replace, so a kill never leaves a half-written watch. */
export function writeWatch(file: string, watch: Watch): void {
  writeFileSync(file + '.tmp', JSON.stringify(watch));
  renameSync(file + '.tmp', file);
}

export function toDayInput(device: string, r: WatchRecord): DayInput {
  return { device, date: r.date, utcOffsetMin: 60, steps: r.steps, hours: null, notWornHours: [], closed: r.closed, source: 'bushu', summary: null, firmware: '0.2.0' };
}

const checkpoint = () => process.stdout.write('cp\n');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(args: ChildArgs): Promise<void> {
  const first = readWatch(args.watchFile);
  const store = Store.open(args.db, { services: args.services, users: { [first.device]: 'walker' } });
  const config = {
    services: args.services.map((name) => ({ name, url: `${args.recorderUrl}/${name}`, secret: args.secret, timeoutMs: 2000, enabled: true })),
    delivery: { baseDelayMs: 5, maxDelayMs: 40, retryForHours: 1, deadRetryHours: 1, concurrency: 2 },
  };
  const changes = new Subject<void>();
  const loop = deliveryLoop({ store, config, changes }).subscribe(() => checkpoint());

  for (;;) {
    const watch = readWatch(args.watchFile);
    // SEND_FROM cursor+1: the watch can only send what it still has (seq > ack).
    const from = Math.max(store.cursor(watch.device), watch.ack);
    const batch = watch.records.filter((r) => r.seq > from).slice(0, args.batch);
    if (batch.length === 0) {
      // Killed between commit and ACK last time: the records are committed, so ACK them now.
      if (watch.ack < store.cursor(watch.device)) writeWatch(args.watchFile, { ...watch, ack: store.cursor(watch.device) });
      break;
    }
    checkpoint();
    const last = batch[batch.length - 1].seq;
    store.commitSync(watch.device, batch.map((r) => toDayInput(watch.device, r)), last, Date.now());
    checkpoint();
    changes.next();
    writeWatch(args.watchFile, { ...watch, ack: Math.max(watch.ack, last) });
    checkpoint();
    await pause(3);
  }
  while (store.outbox({ state: 'pending' }).length > 0) await pause(5);
  loop.unsubscribe();
  store.close();
}

// Only when run as the child process; the harness imports this file for its types and helpers.
if (process.env.BUSHU_CRASH_CHILD === '1') {
  main(JSON.parse(process.argv[2]) as ChildArgs).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(String((e as Error).stack ?? e) + '\n');
      process.exit(2);
    },
  );
}
