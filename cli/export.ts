// `bushu export`: stored day totals as CSV or JSON, per device, or per user under the
// multi-wearable rule (the maximum of the user's devices each day); `--format hourly` gives one
// row per hour (date, time, steps), the shape the Bangle.js Health app's CSV download has, for
// spreadsheets and charts.
import { dayNumber } from '../shared/days.ts';
import { CliError, withStore, type Output, type StoreCliOptions } from '../bridge/config/cli.ts';

export interface ExportOptions extends StoreCliOptions {
  format?: string;
  from?: string;
  to?: string;
  user?: string;
}

function checkDate(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    dayNumber(value);
  } catch (e) {
    throw new CliError(`${flag}: ${(e as Error).message}`);
  }
  return value;
}

function csv(rows: Record<string, unknown>[], columns: string[]): string {
  const field = (v: unknown) => {
    const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => field(r[c])).join(','))].join('\n') + '\n';
}

const DAY_COLUMNS = ['device', 'user', 'date', 'utcOffsetMin', 'steps', 'closed', 'source', 'firmware', 'hours', 'notWornHours', 'syncedAt'];

export function runExport(opts: ExportOptions, out: Output, err: Output): Promise<number> {
  return withStore(opts, err, (store) => {
    const format = opts.json ? 'json' : (opts.format ?? 'csv');
    if (format !== 'csv' && format !== 'json' && format !== 'hourly') throw new CliError(`--format: must be csv, json or hourly, got ${JSON.stringify(format)}`);
    const from = checkDate(opts.from, '--from');
    const to = checkDate(opts.to, '--to');
    if (from !== undefined && to !== undefined && from > to) throw new CliError(`--from ${from} is after --to ${to}`);
    if (format === 'hourly') {
      const users = Object.fromEntries(store.devices().map((d) => [d.id, d.user]));
      // Per user: the device the multi-wearable rule picked that day, so hours add up to the day's total.
      const picked = opts.user !== undefined ? new Set(store.userDays(opts.user, from, to).map((d) => `${d.device} ${d.date}`)) : undefined;
      const days = store.days({ from, to }).filter((d) => picked === undefined || picked.has(`${d.device} ${d.date}`));
      const rows = days.flatMap((d) =>
        (d.hours ?? []).map((steps, hour) => ({ device: d.device, user: users[d.device] ?? null, date: d.date, time: `${String(hour).padStart(2, '0')}:00`, steps })),
      );
      const without = days.filter((d) => d.hours === null).length;
      if (without > 0) err.write(`bushu export: ${without} day(s) have no hourly counts (their wearable reports only day totals) and are left out\n`);
      out.write(csv(rows, ['device', 'user', 'date', 'time', 'steps']));
      return 0;
    }
    if (opts.user !== undefined) {
      const rows = store.userDays(opts.user, from, to).map((d) => ({ user: opts.user, ...d }));
      out.write(format === 'json' ? JSON.stringify(rows, null, 2) + '\n' : csv(rows, ['user', 'date', 'steps', 'device']));
      return 0;
    }
    const users = Object.fromEntries(store.devices().map((d) => [d.id, d.user]));
    const rows = store.days({ from, to }).map(({ revision: _r, ...d }) => ({ ...d, user: users[d.device] ?? null, syncedAt: new Date(d.syncedAt).toISOString() }));
    out.write(format === 'json' ? JSON.stringify(rows, null, 2) + '\n' : csv(rows, DAY_COLUMNS));
    return 0;
  });
}
