// `bushu serve`: the reference reward and social services plus the dashboard on one port.
// SQLite by default (--db PATH); PostgreSQL when DATABASE_URL is set. Config (secrets, admin
// token, seed users/devices) comes from --config FILE; see docs/api.md.
import { ConfigError, loadConfigFile, resolveConfig } from '../services/config.ts';
import { describeDatabase, openDatabase } from '../services/db/open.ts';
import { logPayer, startServices } from '../services/server.ts';

export interface ServeOptions {
  port: string;
  host: string;
  db?: string;
  config?: string;
}

/** Serves until SIGINT or SIGTERM; bad options are one line on stderr and exit code 1. */
export async function runServe(opts: ServeOptions): Promise<void> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`bushu serve: --port must be 0..65535, got ${opts.port}`);
    process.exitCode = 1;
    return;
  }
  let config;
  try {
    config = opts.config ? loadConfigFile(opts.config) : resolveConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.lines()) console.error(`bushu: ${line}`);
    process.exitCode = 1;
    return;
  }
  const where = { databaseUrl: process.env.DATABASE_URL || undefined, sqlitePath: opts.db };
  const db = await openDatabase(where);
  const running = await startServices({ db, config, port, host: opts.host, payer: logPayer((l) => console.log(l)), payoutEveryMs: 5000 });
  const u = running.url;
  console.log(`bushu serve: ${describeDatabase(where)}`);
  console.log(`  dashboard       ${u}/`);
  console.log(`  reward service  ${u}/reward   (bridge POSTs ${u}/reward/v1/days)`);
  console.log(`  social service  ${u}/social   (bridge POSTs ${u}/social/v1/days)`);
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
