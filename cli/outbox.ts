// `bushu outbox [list|retry ID|all|drop ID]`: the deliveries still owed and the dead letters,
// with the two manual actions: retry (same key, same body, a fresh attempt budget) and drop.
import { CliError, isoOrDash, table, withStore, type Output, type StoreCliOptions } from '../bridge/config/cli.ts';
import type { OutboxRow, OutboxState } from '../bridge/store/types.ts';
import { OUTBOX_STATES as STATES } from './outbox-states.ts';

export interface OutboxOptions extends StoreCliOptions {
  state?: string;
}

function parseId(value: string | undefined, action: string, allowAll: boolean): number | 'all' {
  if (allowAll && value === 'all') return 'all';
  if (value !== undefined && /^[1-9][0-9]*$/.test(value)) return Number(value);
  throw new CliError(`outbox ${action}: expected a row id${allowAll ? ' or "all"' : ''}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
}

export function runOutbox(action: string | undefined, arg: string | undefined, opts: OutboxOptions, out: Output, err: Output): Promise<number> {
  return withStore(opts, err, (store) => {
    const say = (result: object, text: string) => out.write(opts.json ? JSON.stringify(result) + '\n' : text + '\n');
    switch (action ?? 'list') {
      case 'list': {
        if (opts.state !== undefined && !STATES.includes(opts.state as OutboxState)) throw new CliError(`--state: must be one of ${STATES.join(', ')}`);
        // Without --state: what still needs attention, pending and dead.
        const rows = opts.state !== undefined ? store.outbox({ state: opts.state as OutboxState }) : store.outbox().filter((r) => r.state === 'pending' || r.state === 'dead');
        if (opts.json) {
          out.write(JSON.stringify(rows.map(({ body: _b, ...r }) => r), null, 2) + '\n');
        } else if (rows.length === 0) {
          out.write('outbox is empty\n');
        } else {
          const line = (r: OutboxRow) => [r.id, r.state, r.key, r.attempts, lastAnswer(r), isoOrDash(r.lastAttemptAt), isoOrDash(nextAttempt(r)), r.deadReason ?? r.lastError ?? ''];
          out.write(table(['id', 'state', 'key', 'attempts', 'last answer', 'last attempt', 'next attempt', 'reason / last error'], rows.map(line)));
        }
        return 0;
      }
      case 'retry': {
        const id = parseId(arg, 'retry', true);
        const n = store.retryDead(id);
        say({ retried: n }, `${n} dead ${n === 1 ? 'delivery' : 'deliveries'} queued again`);
        return id !== 'all' && n === 0 ? fail(err, `no dead row ${id} to retry (or a newer version of its day exists)`) : 0;
      }
      case 'drop': {
        const id = parseId(arg, 'drop', false) as number;
        const dropped = store.drop(id);
        say({ dropped }, dropped ? `dropped ${id}` : `no pending or dead row ${id}`);
        return dropped ? 0 : 1;
      }
      default:
        throw new CliError(`outbox: unknown action ${JSON.stringify(action)} (list, retry, drop)`);
    }
  });
}

/** When the loop will send the row again: pending rows, and dead letters still retried slowly; else null. */
export function nextAttempt(r: OutboxRow): number | null {
  return r.state === 'pending' || (r.state === 'dead' && r.deadRetry) ? r.nextAt : null;
}

/** The last attempt's answer: its HTTP status, "no answer" (network error or timeout), or "-" before any. */
export function lastAnswer(r: OutboxRow): string {
  if (r.attempts === 0) return '-';
  return r.httpStatus === null ? 'no answer' : `HTTP ${r.httpStatus}`;
}

function fail(err: Output, message: string): number {
  err.write(`bushu: ${message}\n`);
  return 1;
}
