// The SQLite adapter and ANALYZE's stat4 samples: with them, statements whose plan might depend on a
// bound value are compiled again at every run (better-sqlite3 binds anew each time), which made the
// counter check ten times dearer on a year of data. Opening the database drops the samples, keeps
// stat1, and the queries still walk their keys.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase } from '../services/db/open.ts';
import { openSqlite } from '../services/db/sqlite.ts';
import { DAY_AND_NEIGHBOURS } from '../services/reward/ingest.ts';

let dir = '';
let path = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bushu-stat4-'));
  path = join(dir, 's.db');
  const db = await openDatabase({ sqlitePath: path }); // migrated
  await db.close();
  // Days of a few devices, analysed by another connection as an operator would.
  const raw = new Database(path);
  raw.pragma('foreign_keys = OFF');
  const insert = raw.prepare(`INSERT INTO reward_days (device_id, date, user_id, record_version, source, utc_offset_min, steps, hours, not_worn, closed, counter, status, reasons, firmware, synced_at, received_at)
    VALUES (?, ?, 'u', 1, 'bushu', 480, 9000, NULL, '[]', 1, ?, 'verified', '[]', '0.12', 'x', 0)`);
  raw.transaction(() => {
    for (let d = 0; d < 5; d++) for (let n = 0; n < 60; n++) insert.run(`dev${d}`, `2026-${String(1 + Math.floor(n / 28)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`, n + 1);
  })();
  raw.exec('ANALYZE');
  expect((raw.prepare('SELECT count(*) AS n FROM sqlite_stat4').get() as { n: number }).n).toBeGreaterThan(0);
  raw.close();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('opening an analysed database drops the stat4 samples, keeps stat1, and the counter check still walks the primary key', async () => {
  const db = openSqlite(path);
  try {
    expect(await db.all<{ n: number }>('SELECT count(*) AS n FROM sqlite_stat4')).toEqual([{ n: 0 }]);
    expect((await db.all<{ n: number }>('SELECT count(*) AS n FROM sqlite_stat1'))[0].n).toBeGreaterThan(0);
    const plan = await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${DAY_AND_NEIGHBOURS}`, ['dev1', '2026-02-10', 'u', 'k', null]);
    const searches = plan.map((p) => p.detail).filter((d) => /reward_days/.test(d));
    expect(searches).toHaveLength(3);
    for (const s of searches) expect(s).toMatch(/^SEARCH .* USING INDEX sqlite_autoindex_reward_days_1 \(device_id=\? AND date[=<>]\?( AND user_id=\?)?\)/);
    const rows = await db.all<{ side: number; date: string }>(DAY_AND_NEIGHBOURS, ['dev1', '2026-02-10', 'u', 'k', null]);
    expect(rows.map((r) => [r.side, r.date])).toEqual([[0, '2026-02-10'], [-1, '2026-02-09'], [1, '2026-02-11']]);
  } finally {
    await db.close();
  }
});
