// One delivery attempt end to end: sign, POST, classify. The delivery loop uses the pieces
// separately (so it can run in virtual time); deliverOnce is the whole thing for one row.
import type { BushuConfig, ServiceConfig } from '../config.ts';
import type { OutboxRow } from '../store/types.ts';
import { postRecord, type Timers } from './http.ts';
import { classify, type Outcome } from './outcome.ts';

export interface DeliverOptions {
  config: Pick<BushuConfig, 'services' | 'delivery'>;
  now?: () => number;
  random?: () => number;
  fetch?: typeof fetch;
  timers?: Timers;
}

export function serviceFor(config: Pick<BushuConfig, 'services'>, name: string): ServiceConfig | undefined {
  return config.services.find((s) => s.name === name);
}

/**
 * Send `row` once and say what should happen to it. The row's attempt must already be counted
 * (Store.beginAttempt), since `attemptsInBudget` decides the backoff.
 */
export async function deliverOnce(row: OutboxRow, options: DeliverOptions): Promise<Outcome> {
  const now = options.now ?? Date.now;
  const service = serviceFor(options.config, row.service);
  if (service === undefined) return { kind: 'dead', reason: `service "${row.service}" is not configured`, status: null, retryInMs: null };
  const result = await postRecord(row, service, { now: now(), fetch: options.fetch, timers: options.timers });
  return classify(result, row, options.config.delivery, now(), options.random ?? Math.random);
}
