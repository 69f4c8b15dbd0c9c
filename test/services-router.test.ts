// The router's reading of request targets: a plain path is taken as it is, anything else as
// WHATWG URL reads it (dot segments resolved, escapes kept for the params to decode).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Router } from '../services/http/router.ts';

let server: Server;
let port = 0;

beforeAll(async () => {
  const echo = async (req: { path: string; params: Record<string, string>; query: URLSearchParams }) => ({ status: 200, json: { path: req.path, params: req.params, query: [...req.query] } });
  const router = new Router(1024, () => Date.UTC(2026, 11, 7, 12, 0, 0, 500))
    .add('GET', '/api/users/:user/overview', echo)
    .add('GET', '/healthz', echo);
  server = createServer(router.listener(() => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** GET a raw request target (node:http sends it as given). */
function get(target: string): Promise<{ status: number; body: any; date: string | undefined }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: target, method: 'GET' }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), date: res.headers.date }));
    }).on('error', reject).end();
  });
}

describe('request targets', () => {
  it('routes a plain path with its params and query', async () => {
    const r = await get('/api/users/alice/overview?date=2026-12-01&limit=5');
    expect(r.body).toEqual({ path: '/api/users/alice/overview', params: { user: 'alice' }, query: [['date', '2026-12-01'], ['limit', '5']] });
  });

  it('decodes an escaped param, and resolves dot segments as URL does', async () => {
    expect((await get('/api/users/al%20ice/overview')).body.params).toEqual({ user: 'al ice' });
    expect((await get('/api/users/x/../bob/overview')).body).toMatchObject({ path: '/api/users/bob/overview', params: { user: 'bob' } });
    expect((await get('/api/./users/carol/overview?a=1')).body).toMatchObject({ path: '/api/users/carol/overview', query: [['a', '1']] });
  });

  it('reads a target URL would read otherwise the way URL does', async () => {
    // "//healthz" is a network-path reference to URL: host "healthz", path "/".
    expect((await get('//healthz')).status).toBe(404);
    // A fragment is not part of the query.
    expect((await get('/healthz?a=1#b')).body.query).toEqual([['a', '1']]);
  });

  it('stamps the Date header with the clock', async () => {
    expect((await get('/healthz')).date).toBe('Mon, 07 Dec 2026 12:00:00 GMT');
  });
});
