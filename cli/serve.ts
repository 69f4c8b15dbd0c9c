// `bushu serve`: the reference reward and social services plus the dashboard on one port.
// SQLite by default (--db PATH, else ./data/services.db); PostgreSQL when DATABASE_URL is set.
// Config (bridges and their secrets, admin token, seed users/devices) comes from --config FILE;
// see docs/api.md. Whatever stops it from starting (a bad config, a database it cannot open, a
// port in use, an address it cannot listen on) is one `bushu serve: …` line and exit code 1.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, loadConfigFile, resolveConfig } from '../services/config.ts';
import { describeDatabase, openDatabase, type OpenOptions } from '../services/db/open.ts';
import type { Db } from '../services/db/types.ts';
import { logPayer, startServices } from '../services/server.ts';

export interface ServeOptions {
  port: number | string;
  host: string;
  db?: string;
  config?: string;
}

/** Where `bushu serve` keeps its SQLite file when --db is not given: beside the bridge's store. */
export const DEFAULT_SERVICES_DB = 'data/services.db';

/** Serves until SIGINT or SIGTERM; anything that stops it from starting is one line on stderr and exit code 1. */
export async function runServe(opts: ServeOptions): Promise<void> {
  const fail = (line: string) => {
    console.error(line);
    process.exitCode = 1;
  };
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`bushu serve: --port must be 0..65535, got ${opts.port}`);
  let config;
  try {
    config = opts.config ? loadConfigFile(opts.config) : resolveConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.lines()) console.error(`bushu: ${line}`);
    process.exitCode = 1;
    return;
  }
  const where: OpenOptions = { databaseUrl: process.env.DATABASE_URL || undefined, sqlitePath: opts.db ?? DEFAULT_SERVICES_DB };
  if (!where.databaseUrl) {
    const folder = dirname(resolve(where.sqlitePath!));
    // The default folder is ours to make; a folder the user named must exist (a typo should not
    // quietly start an empty ledger somewhere else).
    if (opts.db === undefined) mkdirSync(folder, { recursive: true });
    else if (!existsSync(folder)) return fail(`bushu serve: --db ${opts.db}: the folder ${folder} does not exist`);
  }
  let db: Db;
  try {
    db = await openDatabase(where);
  } catch (err) {
    return fail(`bushu serve: cannot open the ${describeDatabase(where)} database: ${databaseProblem(err)}`);
  }
  let running;
  try {
    running = await startServices({ db, config, port, host: opts.host, payer: logPayer((l) => console.log(l)), payoutEveryMs: 5000, processMetrics: true });
  } catch (err) {
    await db.close();
    return fail(`bushu serve: ${listenProblem(err, port, opts.host)}`);
  }
  const u = running.url;
  console.log(`bushu serve: ${describeDatabase(where)}`);
  console.log(`  dashboard       ${u}/`);
  console.log(`  reward service  ${u}/reward   (bridge POSTs ${u}/reward/v1/days)`);
  console.log(`  social service  ${u}/social   (bridge POSTs ${u}/social/v1/days)`);
  console.log(`  metrics         ${u}/metrics  (Prometheus)`);
  if (config.bridges.length === 0) console.log('  warning: no bridges configured: every delivery will be refused (401)');
  if (config.adminToken === null) console.log('  admin API off (no adminToken in the config)');
  const stop = async () => {
    await running.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function databaseProblem(err: unknown): string {
  const code = codeOf(err);
  if (code === 'SQLITE_NOTADB') return 'the file is not a SQLite database';
  if (code === 'ECONNREFUSED') return 'nothing answers at DATABASE_URL (is PostgreSQL running?)';
  if (code === 'ENOTFOUND') return 'the host in DATABASE_URL is unknown';
  if (code === '28P01' || code === '28000') return 'PostgreSQL refused the user or password in DATABASE_URL';
  if (code === '3D000') return 'the database named in DATABASE_URL does not exist';
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] || code || 'unknown error';
}

function listenProblem(err: unknown, port: number, host: string): string {
  const code = codeOf(err);
  if (code === 'EADDRINUSE') return `port ${port} is in use on ${host} (stop the other server, or pass --port N; --port 0 takes any free port)`;
  if (code === 'EACCES') return `not allowed to listen on port ${port} (ports below 1024 need privileges; try --port 8080)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `--host ${host} is not an address or a known name`;
  if (code === 'EADDRNOTAVAIL') return `--host ${host} is not an address of this machine`;
  return `cannot listen on ${host}:${port}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
}
