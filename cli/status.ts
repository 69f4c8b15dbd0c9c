// `bushu status`: the devices with their last sync and cursor, day counts, and the outbox.
import { isoOrDash, table, withStore, type Output, type StoreCliOptions } from '../bridge/config/cli.ts';
import type { Store } from '../bridge/store/store.ts';

export function statusReport(store: Store) {
  const days = store.days();
  return {
    devices: store.devices().map((d) => ({ ...d, days: days.filter((x) => x.device === d.id).length })),
    days: days.length,
    outbox: store.outboxCounts(),
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
    return 0;
  });
}
