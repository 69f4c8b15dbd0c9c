// Numbered SQL migrations, one folder per dialect (migrations/sqlite, migrations/postgres), with
// the same numbers and meaning in both. Applied versions are rows of schema_migrations. On
// PostgreSQL an advisory lock makes service processes that start together migrate one at a time.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from './types.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export function loadMigrations(dialect: Db['dialect']): Migration[] {
  const dir = fileURLToPath(new URL(`./migrations/${dialect}/`, import.meta.url));
  const list: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = FILE.exec(file);
    if (m === null) continue;
    list.push({ version: Number(m[1]), name: m[2], sql: readFileSync(dir + file, 'utf8') });
  }
  return list;
}

/** Apply every migration not yet recorded (below `before`: tests build an older schema); returns the versions applied now. */
export async function migrate(db: Db, now: () => number = Date.now, before = Infinity): Promise<number[]> {
  const applied: number[] = [];
  await db.tx(async (q) => {
    if (db.dialect === 'postgres') await q.all(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.bushu_migrate'))`);
    await q.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const done = new Set((await q.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    for (const m of loadMigrations(db.dialect)) {
      if (done.has(m.version) || m.version >= before) continue;
      await q.exec(m.sql);
      await q.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now()]);
      applied.push(m.version);
    }
  });
  return applied;
}
