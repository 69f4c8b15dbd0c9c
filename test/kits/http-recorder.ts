// A local HTTP server for tests: records every request, answers like an idempotent reward
// service, and injects failures on demand (5xx, 429 + Retry-After, 4xx, hangs for timeouts,
// dropped connections, a response lost after the record was accepted). Shared by the delivery
// tests, the crash harness and the end-to-end tests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The Idempotency-Key header, or null. */
  key: string | null;
  /** What the recorder did: a status, 'dropped' (socket closed unanswered) or 'hung'. */
  answer: number | 'dropped' | 'hung';
}

export type Fault =
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'hang' } // never answers: the client's timeout fires; the key is in flight until it disconnects
  | { kind: 'drop' } // closes the socket without an answer, record not accepted
  | { kind: 'accept-then-drop' }; // stores the record, then closes: the answer is lost

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface RecorderOptions {
  /** Answer repeats of an accepted key with the first answer, and 409 while a key is in flight (default true). */
  dedupe?: boolean;
  /** Decides the answer to a request that passed the faults and dedupe; default 200 {"ok":true}. A 2xx counts as accepted. */
  respond?: (req: RecordedRequest) => Answer;
  /** Called when a request has fully arrived, before it is answered. */
  onRequest?: (req: RecordedRequest) => void;
  /** The service's clock, for its Date header (a simulated world's); the real clock by default. */
  clock?: () => number;
}

export interface Acceptance {
  key: string;
  body: string;
  answer: Answer;
  /** Times a 2xx was produced for this key (more than 1 only with dedupe off). */
  count: number;
  /** Order of first acceptance over all keys. */
  order: number;
}

export interface Recorder {
  url: string;
  requests: RecordedRequest[];
  accepted: Map<string, Acceptance>;
  stats: { replays: number; conflicts: number; inFlight409: number };
  /** Queue faults, used one per request in order; `match` limits a fault to some requests. */
  inject(fault: Fault, match?: (req: RecordedRequest) => boolean): void;
  /** Resolves with the next request to arrive (after onRequest, before its answer). */
  nextRequest(): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export async function startRecorder(options: RecorderOptions = {}): Promise<Recorder> {
  const dedupe = options.dedupe ?? true;
  const respond = options.respond ?? (() => ({ status: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json' } }));
  const faults: { fault: Fault; match?: (req: RecordedRequest) => boolean }[] = [];
  const waiters: ((req: RecordedRequest) => void)[] = [];
  const inFlight = new Set<string>();
  const sockets = new Set<Socket>();
  let acceptOrder = 0;
  const rec: Recorder = {
    url: '',
    requests: [],
    accepted: new Map(),
    stats: { replays: 0, conflicts: 0, inFlight409: 0 },
    inject: (fault, match) => void faults.push({ fault, match }),
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const send = (res: ServerResponse, req: RecordedRequest, a: Answer) => {
    req.answer = a.status;
    if (res.destroyed) return;
    if (options.clock) {
      res.sendDate = false;
      res.setHeader('date', new Date(options.clock()).toUTCString());
    }
    res.writeHead(a.status, a.headers ?? {});
    res.end(a.body ?? '');
  };
  const accept = (req: RecordedRequest, a: Answer) => {
    if (req.key === null || a.status < 200 || a.status > 299) return;
    const prior = rec.accepted.get(req.key);
    if (prior) prior.count++;
    else rec.accepted.set(req.key, { key: req.key, body: req.body, answer: a, count: 1, order: acceptOrder++ });
  };

  const handle = (req: RecordedRequest, res: ServerResponse) => {
    options.onRequest?.(req);
    for (const w of waiters.splice(0)) w(req);
    const prior = req.key === null ? undefined : rec.accepted.get(req.key);
    if (dedupe && req.key !== null && prior !== undefined) {
      // A repeat: same body gets the original answer; another body under the same key is a client bug.
      if (prior.body === req.body) {
        rec.stats.replays++;
        return send(res, req, prior.answer);
      }
      rec.stats.conflicts++;
      return send(res, req, { status: 422, body: 'idempotency key reused with a different body' });
    }
    if (dedupe && req.key !== null && inFlight.has(req.key)) {
      rec.stats.inFlight409++;
      return send(res, req, { status: 409, body: 'a request with this idempotency key is in flight' });
    }
    // Faults apply to first-time requests; repeats are answered by dedupe above.
    const i = faults.findIndex((f) => f.match === undefined || f.match(req));
    const fault = i >= 0 ? faults.splice(i, 1)[0].fault : undefined;
    if (fault?.kind === 'status') return send(res, req, fault);
    if (fault?.kind === 'drop') {
      req.answer = 'dropped';
      return res.socket?.destroy();
    }
    if (fault?.kind === 'hang') {
      req.answer = 'hung';
      const key = req.key;
      if (key !== null) inFlight.add(key);
      res.socket?.once('close', () => key !== null && inFlight.delete(key));
      return;
    }
    const answer = respond(req);
    accept(req, answer);
    if (fault?.kind === 'accept-then-drop') {
      req.answer = 'dropped';
      return res.socket?.destroy();
    }
    send(res, req, answer);
  };

  const server = createServer((im: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    im.on('data', (c: Buffer) => chunks.push(c));
    im.on('end', () => {
      const key = im.headers['idempotency-key'];
      const req: RecordedRequest = {
        seq: rec.requests.length,
        method: im.method ?? '',
        path: im.url ?? '',
        headers: im.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        key: typeof key === 'string' ? key : null,
        answer: 'hung',
      };
      rec.requests.push(req);
      handle(req, res);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return rec;
}
