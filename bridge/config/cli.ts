// What the store commands (status, export, outbox) share: --db/--config handling, opening the
// store for an existing database, and turning known input errors into one-line messages.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, enabledServices, loadConfig } from '../config.ts';
import { DayInputError, SchemaError, Store, StoreError } from '../store/store.ts';

export interface Output {
  write(text: string): unknown;
}

export interface StoreCliOptions {
  db?: string;
  config?: string;
  json?: boolean;
}

/** A user-facing failure: printed as "bushu: message", exit code 1, no stack trace. */
export class CliError extends Error {}

/** Opens an existing database: a read command must not create an empty one at a mistyped path. */
export function openExistingStore(opts: StoreCliOptions, env: Record<string, string | undefined> = process.env): Store {
  const config = loadConfig(opts.config, env);
  const path = opts.db !== undefined ? resolve(opts.db) : config.db;
  if (!existsSync(path)) throw new CliError(`no database at ${path} (sync a device first, or pass --db PATH)`);
  return Store.open(path, { services: enabledServices(config), users: config.deviceUsers });
}

/** Runs a command body with the store, closing it after; known errors become exit code 1. */
export async function withStore(opts: StoreCliOptions, err: Output, body: (store: Store) => number | Promise<number>): Promise<number> {
  let store: Store | undefined;
  try {
    store = openExistingStore(opts);
    return await body(store);
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const line of e.lines()) err.write(`bushu: ${line}\n`);
      return 1;
    }
    if (e instanceof CliError || e instanceof StoreError || e instanceof SchemaError || e instanceof DayInputError) {
      err.write(`bushu: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    store?.close();
  }
}

export function isoOrDash(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}

/** Left-aligned text columns for the human-readable output. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}
