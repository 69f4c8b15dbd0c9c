// The ceiling the services are measured against: a bare node:http server that reads the same body,
// parses its JSON and does one INSERT … ON CONFLICT DO NOTHING, each committed on its own, on the
// same kind of database: on SQLite, better-sqlite3 straight on the file in WAL mode with
// synchronous=FULL (every commit durable before the answer, as the services promise); on
// PostgreSQL, a pool of 10 as the services use. `grouped` instead sends the insert through the
// services' own adapter as a transaction: on SQLite that is the group commit with the fsync off the
// event loop (services/db/sqlite.ts), a ceiling for the same engineering the services get.
import Database from 'better-sqlite3';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openSpecDb, readSpec, type DbSpec } from './spec.ts';

const spec = readSpec<DbSpec & { grouped?: boolean }>();
const db = await openSpecDb(spec);
const TABLE = 'CREATE TABLE IF NOT EXISTS baseline_days (device_id TEXT NOT NULL, date TEXT NOT NULL, steps INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (device_id, date))';
await db.exec(TABLE);
const INSERT = 'INSERT INTO baseline_days (device_id, date, steps, body) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING';

/** The one insert, the way a bare server does it on this backend; resolves to the rows it inserted (0 for a redelivery). */
function bareInsert(): (params: unknown[]) => Promise<number> {
  if (spec.sqlitePath === undefined) return (params) => db.run(INSERT, params);
  const bare = new Database(spec.sqlitePath);
  bare.pragma('journal_mode = WAL');
  bare.pragma('synchronous = FULL');
  const insert = bare.prepare(INSERT.replace(/\$\d/g, '?'));
  return async (params) => insert.run(...params).changes;
}
const insertOne = spec.grouped ? (params: unknown[]) => db.tx((q) => q.run(INSERT, params)) : bareInsert();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    try {
      const text = Buffer.concat(chunks).toString('utf8');
      const r = JSON.parse(text) as { device: string; date: string; steps: number };
      const inserted = await insertOne([r.device, r.date, r.steps, text]);
      // A redelivery inserts nothing, and is marked as the services mark a replay, so that both
      // sides' accepted/s count the same thing: new deliveries stored per second.
      const headers = { 'content-type': 'application/json', ...(inserted === 0 ? { 'idempotent-replayed': 'true' } : {}) };
      res.writeHead(200, headers).end('{"accepted":true}');
    } catch (err) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(err) }));
    }
  });
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => process.send!({ kind: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
process.on('message', async (m: string) => {
  if (m === 'stop') {
    server.closeAllConnections();
    server.close();
    await db.close();
    process.exit(0);
  }
});
