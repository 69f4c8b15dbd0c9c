// `bushu serve` as its own OS process on the world clock (clock-shim.mjs), and the TCP proxy the
// bridge reaches it through: the proxy refuses connections during planned outages (world time)
// and while the services restart, and counts requests so the harness can SIGKILL the services
// with a request inside, before its answer reaches the bridge.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { track } from './processes.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHIM = fileURLToPath(new URL('./clock-shim.mjs', import.meta.url));

export interface ServeOptions {
  config: string;
  /** SQLite file; ignored when databaseUrl is given. */
  db: string;
  databaseUrl?: string;
  clockFile: string;
}

export interface Serve {
  port: number;
  process: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

export function startServe(o: ServeOptions): Promise<Serve> {
  const env: NodeJS.ProcessEnv = { ...process.env, BUSHU_FAULTS_CLOCK: o.clockFile };
  delete env.DATABASE_URL;
  if (o.databaseUrl) env.DATABASE_URL = o.databaseUrl;
  const child = spawn(process.execPath, ['--import', SHIM, `${ROOT}bin/bushu.js`, 'serve', '--port', '0', '--db', o.db, '--config', o.config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  track(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /dashboard\s+http:\/\/[^:]+:(\d+)\//.exec(line);
      if (m) resolve({ port: Number(m[1]), process: child, exited });
    });
    child.once('exit', (code, signal) => reject(new Error(`bushu serve exited (${code ?? signal}) before listening: ${stderr.trim()}`)));
  });
}

export interface Proxy {
  url: string;
  /** POST requests seen (each a point where the services may be killed). */
  requests: number;
  upstream: number | null;
  close(): Promise<void>;
}

export async function startProxy(o: { down: () => boolean; onRequest: () => void }): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const proxy: Proxy = { url: '', requests: 0, upstream: null, close: async () => undefined };
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (proxy.upstream === null || o.down()) return void client.destroy();
    const up = connect(proxy.upstream, '127.0.0.1');
    sockets.add(up);
    up.on('close', () => {
      sockets.delete(up);
      client.destroy();
    });
    up.on('error', () => client.destroy());
    client.on('close', () => up.destroy());
    client.on('data', (chunk: Buffer) => {
      if (o.down()) {
        client.destroy();
        return;
      }
      up.write(chunk);
      if (chunk.subarray(0, 5).toString() === 'POST ') {
        proxy.requests++;
        o.onRequest();
      }
    });
    up.on('data', (chunk: Buffer) => client.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
