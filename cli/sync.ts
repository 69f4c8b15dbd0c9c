// `bushu sync`: one round: scan, sync every wearable found (or --device ID) once, with a
// progress bar per device on a terminal and plain lines otherwise, then exit. Records are
// committed and queued for delivery; `bushu run` delivers them.

import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { Subject, takeUntil, timer } from 'rxjs';
import { runBridge } from '../bridge/pipeline/bridge.ts';
import { openReadySession } from '../bridge/pipeline/session.ts';
import type { SyncProgress, SyncResult } from '../bridge/sync/types.ts';

export interface SyncOptions {
  device?: string;
  simulate?: number;
  days?: number;
  json?: boolean;
  db?: string;
  config?: string;
  seconds?: number;
}

export async function runSync(opts: SyncOptions, logLevel: string | undefined, out: NodeJS.WritableStream & { isTTY?: boolean }, err: NodeJS.WritableStream): Promise<number> {
  const simulation = opts.simulate ? new (await import('../sim/air.ts')).Simulation({ devices: opts.simulate, days: opts.days, announce: opts.json ? undefined : (line) => err.write(line + '\n') }) : undefined;
  // Progress bars on a terminal: info log lines would tear them (and say what the bars and the
  // summary say), so only warnings show unless a level is asked for.
  const bars = !opts.json && out.isTTY === true;
  const level = logLevel ?? (bars && process.env.BUSHU_LOG_LEVEL === undefined ? 'warn' : undefined);
  const session = await openReadySession({ config: opts.config, db: opts.db, logLevel: level, simulated: simulation?.open }, err);
  if (typeof session === 'number') return session; // printed why: bad config (1) or no adapter (2)
  const progress = progressView(out, !!opts.json);
  session.ctx.onProgress = progress.update;
  const seconds = opts.seconds ?? session.config.ble.scanSeconds;
  const results: SyncResult[] = [];
  const failures: { device: string; error: string }[] = [];
  const stop = new Subject<void>();
  const busy = new Set<string>();
  let windowOver = false;
  const maybeStop = () => {
    const fleet = simulation?.fleet;
    const all = fleet !== undefined && new Set([...results.map((r) => r.device), ...failures.map((f) => f.device)]).size >= fleet.devices.length;
    if ((windowOver || all || (opts.device && results.some((r) => r.device === opts.device))) && busy.size === 0) stop.next();
  };
  await new Promise<void>((resolve, reject) => {
    runBridge({ central: session.central, store: session.store, config: session.config, ctx: session.ctx, restMs: Number.MAX_SAFE_INTEGER, only: opts.device ? (id) => id === opts.device : undefined })
      .pipe(takeUntil(stop))
      .subscribe({
        next: (e) => {
          if (e.kind !== 'job') return;
          if (e.type === 'start') busy.add(e.device);
          else {
            busy.delete(e.device);
            if (e.type === 'ok') results.push(e.result);
            else failures.push({ device: e.device, error: (e.error as Error).message });
            progress.done(e.device, e.type === 'ok' ? e.result : undefined);
          }
          maybeStop();
        },
        error: reject,
        complete: resolve,
      });
    timer(seconds * 1000).subscribe(() => {
      windowOver = true;
      maybeStop();
    });
  });
  progress.stop();
  const m = session.ctx.metrics;
  if (opts.json) out.write(JSON.stringify({ results, failures, metrics: m }, null, 2) + '\n');
  else {
    for (const r of results) out.write(`${r.device} ${r.source}: ${r.records} records, ${r.days} days, ${r.changedDays} changed, ${r.queued} queued, cursor ${r.cursor}\n`);
    for (const f of failures) out.write(`${f.device}: failed: ${f.error}\n`);
    out.write(`${results.length} synced, ${failures.length} failed, ${m.badPayloads} bad payloads, ${m.restarts} restarts\n`);
  }
  await session.close();
  return opts.device && !results.some((r) => r.device === opts.device) ? 1 : failures.length && !results.length ? 1 : 0;
}

/** cli-progress bars on a terminal; one plain line per 25% otherwise (logs and CI stay readable). */
function progressView(out: NodeJS.WritableStream & { isTTY?: boolean }, quiet: boolean) {
  const tty = !quiet && out.isTTY === true;
  const multi = tty ? new MultiBar({ format: '{device} [{bar}] {value}/{total} records', hideCursor: true, stream: out as NodeJS.WritableStream & { isTTY: boolean } } as never, Presets.shades_classic) : null;
  const bars = new Map<string, SingleBar>();
  const lastQuarter = new Map<string, number>();
  return {
    update: (p: SyncProgress) => {
      const total = Math.max(p.expected, p.received);
      if (multi) {
        let bar = bars.get(p.device);
        if (!bar) bars.set(p.device, (bar = multi.create(total, 0, { device: p.device })));
        bar.setTotal(total);
        bar.update(p.received, { device: p.device });
      } else if (!quiet && total > 0) {
        const q = Math.floor((4 * p.received) / total);
        if (q > (lastQuarter.get(p.device) ?? -1)) {
          lastQuarter.set(p.device, q);
          out.write(`${p.device}: ${p.received}/${total} records\n`);
        }
      }
    },
    done: (device: string, r?: SyncResult) => {
      const bar = bars.get(device);
      if (bar && r) bar.update(bar.getTotal(), { device });
    },
    stop: () => multi?.stop(),
  };
}
