// A benchmark client in its own process (so its CPU is not the server's): `loops` concurrent
// request loops over keep-alive connections, each taking whole queues (one device's deliveries, in
// counter order). Reports every latency and status to the parent. It may be pointed at one server
// after another (the benchmark interleaves the ceiling and the services), each over its own
// keep-alive connections.
import { Agent, request } from 'node:http';
import { readSpec } from './spec.ts';

export interface Prepared {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const spec = readSpec<{ loops: number }>();
const agents = new Map<string, Agent>();
// The server the client is pointed at, and its connections (set by the parent's first message).
let target: URL;
let agent: Agent;

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
// second of CPU in some rounds and not in others, which the round then counted as load. Before
// that the parent says 'warm': the warm-up queues are delivered untimed, so that the round
// measures the server as it runs for hours (its code compiled, its statements prepared on every
// pooled connection) and not its first second, which alone held most of a round's p99.
let warm: Prepared[][] = [];
let queues: Prepared[][] = [];
process.on('message', (m: { url: string; warm: Prepared[][]; queues: Prepared[][] } | 'warm' | 'go' | 'stop') => {
  if (m === 'warm') void warmUp();
  else if (m === 'go') void run();
  else if (m === 'stop') process.exit(0);
  else {
    ({ warm, queues } = m);
    target = new URL(m.url);
    if (!agents.has(m.url)) agents.set(m.url, new Agent({ keepAlive: true, maxSockets: spec.loops }));
    agent = agents.get(m.url)!;
    process.send!({ kind: 'loaded' });
  }
});

/** Runs the loops over `list`, calling `each` with every answer and its latency. */
async function deliver(list: Prepared[][], each: (r: { status: number; replayed: boolean }, ms: number) => void): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: spec.loops }, async () => {
      while (next < list.length) {
        for (const p of list[next++]) {
          const t0 = performance.now();
          const r = await post(p);
          each(r, performance.now() - t0);
        }
      }
    }),
  );
}

async function warmUp(): Promise<void> {
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  await deliver(warm, (r, ms) => {
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    latencies.push(ms);
  });
  process.send!({ kind: 'warmed', statuses, latencies });
}

async function run(): Promise<void> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let replayed = 0;
  const start = performance.now();
  await deliver(queues, (r, ms) => {
    latencies.push(ms);
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.replayed) replayed++;
  });
  process.send!({ latencies, statuses, replayed, ms: performance.now() - start });
}
process.send!({ kind: 'ready' });
