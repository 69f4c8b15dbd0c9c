// A small router over node:http: exact segments and :params, JSON in and out, a body size limit
// and a content-type check before any handler runs. Handlers throw HttpError for 4xx answers.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface Request {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The raw body, read only for routes declared with `body: true`. */
  body: Buffer;
}

export interface Response {
  status: number;
  /** Serialised as JSON unless `raw` is set (then `json` is what `raw` says, kept for callers that read it). */
  json?: unknown;
  raw?: { contentType: string; data: string | Buffer };
  headers?: Record<string, string>;
}

export type Handler = (req: Request) => Promise<Response>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
  body: boolean;
}

export class Router {
  private routes: Route[] = [];

  /**
   * `clock` (ms since 1970) stamps every answer's Date header: the clock the webhook timestamps
   * are checked against, so a bridge refused for clock skew can sign by it (docs/api.md).
   */
  constructor(
    private readonly bodyLimit: number,
    private readonly clock: () => number = Date.now,
  ) {}

  add(method: string, pattern: string, handler: Handler, opts: { body?: boolean } = {}): this {
    this.routes.push({ method, segments: pattern.split('/').filter(Boolean), handler, body: opts.body ?? false });
    return this;
  }

  /** The node:http request listener. */
  listener(onError: (err: unknown) => void): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      this.handle(req)
        .catch((err: unknown) => {
          if (err instanceof HttpError) return errorResponse(err);
          onError(err);
          return errorResponse(new HttpError(500, 'internal', 'internal error'));
        })
        .then((out) => send(res, out, req, this.clock()));
    };
  }

  private async handle(req: IncomingMessage): Promise<Response> {
    const url = parseTarget(req.url ?? '/');
    const parts = url.pathname.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = match(route.segments, parts);
      if (params === null) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      const body = route.body ? await readJsonBody(req, this.bodyLimit) : Buffer.alloc(0);
      return route.handler({ method: req.method, path: url.pathname, params, query: url.searchParams, headers: req.headers, body });
    }
    if (pathMatched) throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${url.pathname}`);
    throw new HttpError(404, 'not_found', `no route for ${url.pathname}`);
  }
}

/** A plain path, as every route's is: nothing WHATWG URL parsing would resolve or re-encode. */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9_~:@!$&'()*+,;=\/-]*$/;

/**
 * The request target's path and query. A plain path (no dot segment, no escape) is taken as it
 * is, as URL would give it, which saves a URL parse on every delivery; anything else goes through
 * URL, which resolves dot segments and normalises escapes.
 */
function parseTarget(target: string): { pathname: string; searchParams: URLSearchParams } {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (!PLAIN_PATH.test(path) || target.includes('#')) return new URL(target, 'http://localhost');
  return { pathname: path, searchParams: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
}

function match(segments: string[], parts: string[]): Record<string, string> | null {
  if (segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    let p: string;
    try {
      p = decodeURIComponent(parts[i]);
    } catch {
      return null;
    }
    if (s.startsWith(':')) params[s.slice(1)] = p;
    else if (s !== p) return null;
  }
  return params;
}

/** 415 unless JSON; 413 as soon as the body passes the limit (by header or by counting). */
async function readJsonBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    throw new HttpError(415, 'unsupported_media_type', 'Content-Type must be application/json');
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    throw new HttpError(413, 'body_too_large', `body exceeds ${limit} bytes`);
  }
  // Events rather than `for await`: the async iterator costs a promise per chunk on every delivery.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      req.resume(); // drain the rest so the 413 can be written on a healthy socket
      reject(new HttpError(413, 'body_too_large', `body exceeds ${limit} bytes`));
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

export const JSON_TYPE = 'application/json; charset=utf-8';

export function errorResponse(err: HttpError): Response {
  return { status: err.status, json: { error: err.code, message: err.message, ...err.details } };
}

// The Date header of the current second, formatted once a second rather than once an answer.
let dateSecond = NaN;
let dateText = '';
function httpDate(nowMs: number): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

function send(res: ServerResponse, out: Response, req: IncomingMessage, nowMs: number): void {
  const headers: Record<string, string> = { date: httpDate(nowMs), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...out.headers };
  let data: string | Buffer;
  if (out.raw !== undefined) {
    headers['content-type'] = out.raw.contentType;
    data = out.raw.data;
  } else {
    headers['content-type'] = JSON_TYPE;
    data = JSON.stringify(out.json ?? null);
  }
  headers['content-length'] = String(Buffer.byteLength(data));
  res.writeHead(out.status, headers);
  res.end(req.method === 'HEAD' ? undefined : data);
}

/** Parse a body already read; 400 for anything that is not a JSON object. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  return parseJsonText(body.toString('utf8'));
}

/** parseJsonObject of a body already decoded as UTF-8. */
export function parseJsonText(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'malformed_json', 'body is not valid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HttpError(400, 'malformed_json', 'body must be a JSON object');
  return v as Record<string, unknown>;
}
