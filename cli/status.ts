// `bushu status`: the devices with their last sync and cursor, day counts, the outbox, and the
// history records the bridge quarantined (received, acknowledged, but not valid days).
import { isoOrDash, table, withStore, type Output, type StoreCliOptions } from '../bridge/config/cli.ts';
import type { Store } from '../bridge/store/store.ts';
import { lastAnswer, nextAttempt } from './outbox.ts';

/** Stuck rows shown by the text output; `bushu outbox` lists them all. */
const STUCK_SHOWN = 10;

export function statusReport(store: Store) {
  const days = store.days();
  // What needs attention: rows that keep failing (still retried) and dead letters.
  const stuck = store
    .outbox()
    .filter((r) => r.state === 'dead' || (r.state === 'pending' && r.failingSince !== null))
    .map((r) => ({
      id: r.id, service: r.service, device: r.device, date: r.date, state: r.state, attempts: r.attempts,
      lastAnswer: lastAnswer(r), lastAttemptAt: r.lastAttemptAt, failingSince: r.failingSince, nextAttemptAt: nextAttempt(r),
      reason: r.deadReason ?? r.lastError,
    }));
  return {
    devices: store.devices().map((d) => ({ ...d, days: days.filter((x) => x.device === d.id).length })),
    days: days.length,
    outbox: store.outboxCounts(),
    stuck,
    quarantined: store.quarantined(),
  };
}

export function runStatus(opts: StoreCliOptions, out: Output, err: Output): Promise<number> {
  return withStore(opts, err, (store) => {
    const r = statusReport(store);
    if (opts.json) {
      out.write(JSON.stringify(r, null, 2) + '\n');
      return 0;
    }
    if (r.devices.length === 0) out.write('no devices synced yet\n');
    else {
      const rows = r.devices.map((d) => [d.id, d.user ?? '-', d.source, d.firmware ?? '-', isoOrDash(d.lastSyncAt), d.cursor, d.days]);
      out.write(table(['device', 'user', 'source', 'firmware', 'last sync', 'cursor', 'days'], rows));
    }
    const o = r.outbox;
    out.write(`days: ${r.days}\noutbox: ${o.pending} pending, ${o.dead} dead, ${o.delivered} delivered, ${o.superseded} superseded, ${o.dropped} dropped\n`);
    if (r.stuck.length > 0) {
      const retried = r.stuck.filter((x) => x.nextAttemptAt !== null).length;
      out.write(`stuck: ${r.stuck.length} (${retried} still retried, ${r.stuck.length - retried} waiting for \`bushu outbox retry\`)\n`);
      const rows = r.stuck.slice(0, STUCK_SHOWN).map((x) => [x.id, x.service, x.device, x.date, x.state, x.attempts, x.lastAnswer, isoOrDash(x.nextAttemptAt), x.reason ?? '']);
      out.write(table(['id', 'service', 'device', 'date', 'state', 'attempts', 'last answer', 'next attempt', 'reason / last error'], rows));
      if (r.stuck.length > STUCK_SHOWN) out.write(`… and ${r.stuck.length - STUCK_SHOWN} more: bushu outbox\n`);
    }
    if (r.quarantined.length > 0) {
      out.write(`quarantined: ${r.quarantined.length} history records kept aside, not stored as days (--json has their bytes)\n`);
      const rows = r.quarantined.map((q) => [q.device, q.seq, q.date, isoOrDash(q.quarantinedAt), q.reason]);
      out.write(table(['device', 'seq', 'date', 'received', 'reason'], rows));
    }
    return 0;
  });
}
