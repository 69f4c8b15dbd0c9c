// A benchmark client in its own process (so its CPU is not the server's): `loops` concurrent
// request loops over keep-alive connections, each taking whole queues (one device's deliveries, in
// counter order). Reports every latency and status to the parent.
import { Agent, request } from 'node:http';
import { readSpec } from './spec.ts';

export interface Prepared {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const spec = readSpec<{ url: string; loops: number }>();
const target = new URL(spec.url);
const agent = new Agent({ keepAlive: true, maxSockets: spec.loops });

function post(p: Prepared): Promise<{ status: number; replayed: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: target.hostname, port: target.port, method: 'POST', path: p.path, headers: { ...p.headers, 'content-length': Buffer.byteLength(p.body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, replayed: res.headers['idempotent-replayed'] === 'true' }));
    });
    req.on('error', reject);
    req.end(p.body);
  });
}

// The queues arrive first and are acknowledged; the parent starts its clock and CPU count only
// then and says 'go'. Taking in the queues (megabytes over the IPC channel) cost a client up to a
// second of CPU in some rounds and not in others, which the round then counted as load.
let queues: Prepared[][] = [];
process.on('message', (m: Prepared[][] | 'go') => {
  if (m !== 'go') {
    queues = m;
    process.send!({ kind: 'loaded' });
  } else void run();
});

async function run(): Promise<void> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let replayed = 0;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: spec.loops }, async () => {
      while (next < queues.length) {
        for (const p of queues[next++]) {
          const t0 = performance.now();
          const r = await post(p);
          latencies.push(performance.now() - t0);
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          if (r.replayed) replayed++;
        }
      }
    }),
  );
  process.send!({ latencies, statuses, replayed, ms: performance.now() - start }, () => process.exit(0));
}
process.send!({ kind: 'ready' });
