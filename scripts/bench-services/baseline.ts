// The ceiling the services are measured against: a bare node:http server that reads the same body,
// parses its JSON and does one INSERT … ON CONFLICT DO NOTHING, on the same kind of database opened
// the same way (the services' adapter: WAL and synchronous=FULL on SQLite, a pool of 10 on PostgreSQL).
// `grouped`: the insert goes through the adapter's transaction, which on SQLite shares one COMMIT
// among the requests of one event-loop turn, as the services' transactions do; otherwise each
// insert commits alone, as a bare server would.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openSpecDb, readSpec, type DbSpec } from './spec.ts';

const spec = readSpec<DbSpec & { grouped?: boolean }>();
const db = await openSpecDb(spec);
await db.exec('CREATE TABLE IF NOT EXISTS baseline_days (device_id TEXT NOT NULL, date TEXT NOT NULL, steps INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (device_id, date))');
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    try {
      const text = Buffer.concat(chunks).toString('utf8');
      const r = JSON.parse(text) as { device: string; date: string; steps: number };
      const insert = 'INSERT INTO baseline_days (device_id, date, steps, body) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING';
      const params = [r.device, r.date, r.steps, text];
      await (spec.grouped ? db.tx((q) => q.run(insert, params)) : db.run(insert, params));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":true}');
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
