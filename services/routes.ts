// Every HTTP route of `bushu serve`: the two services' day endpoints (one shared pipeline),
// their read endpoints, the admin API, the dashboard's read API and its static files.
import { dateString, dayNumber } from '../shared/days.ts';
import { overview, hours, limitParam, listUsers, dateParam, userOrThrow } from './api/read.ts';
import { identifyBridge, type Service } from './bridges.ts';
import type { ServicesConfig } from './config.ts';
import { DASHBOARD_PATHS, serveDashboard } from './dashboard/static.ts';
import type { Db } from './db/types.ts';
import { HttpError, parseJsonObject, parseJsonText, Router, type Request, type Response } from './http/router.ts';
import { expireKeys, idempotencyKeyOf, idempotent, requestHash } from './idempotency.ts';
import type { Ingest } from './ingest.ts';
import { parseDayRecord } from './record.ts';
import { befriend, registerDevice, requireAdmin, upsertUser } from './registry.ts';
import { atOnceBatcher, type AtOnce, type AtOnceResult } from './reward/at-once.ts';
import { ingestRewardDay } from './reward/ingest.ts';
import { ingestSocialDay } from './social/ingest.ts';
import { ledger, runPayouts, type Payer } from './reward/payouts.ts';
import { history, ranking } from './social/leaderboard.ts';
import type { ServicesMetrics } from './metrics.ts';
import { clearedCookie, issueUserToken, mayRead, revokeUserTokens, sessionCookie, viewerOf, type Viewer } from './auth.ts';

export interface Deps {
  db: Db;
  config: ServicesConfig;
  /** Milliseconds since 1970; injected so tests control time. */
  clock: () => number;
  payer: Payer;
  /** Prometheus counters (GET /metrics); none in tests that do not ask. */
  metrics?: ServicesMetrics;
  /** Errors no answer tells of (a batched write refused, then settled one by one); none in tests that do not ask. */
  onError?: (err: unknown) => void;
}

/**
 * The POST /v1/days pipeline, in the order that keeps rejected requests from storing anything:
 * webhook signature, which names the sending bridge (400/401), Idempotency-Key (400), JSON and
 * record shape (400/422), then, in one transaction, the key is claimed (replay, 409, 422), the
 * service runs and its response is stored under the key; a rejection rolls back the claim too. Keys are scoped per service and bridge, so a stored response is
 * replayed only to the bridge that made the request: another bridge sending the same bytes gets
 * the precheck's answer (403 for a device it does not serve), not the owner's response.
 */
function dayEndpoint(deps: Deps, service: Service, ingest: Ingest, purge: (nowMs: number) => Promise<void>, atOnce?: (item: AtOnce) => Promise<AtOnceResult>) {
  return async (req: Request): Promise<Response> => {
    const nowMs = deps.clock();
    await purge(nowMs);
    const raw = req.body.toString('utf8');
    const sender = identifyBridge(deps.config.bridges, service, req.headers, raw, Math.floor(nowMs / 1000), deps.config.webhookToleranceSec);
    if (!sender.ok) throw new HttpError(sender.status, sender.status === 401 ? 'bad_webhook_signature' : 'bad_webhook_headers', sender.error);
    const key = idempotencyKeyOf(req.headers);
    const record = parseDayRecord(parseJsonText(raw));
    const delivery = { record, bridge: sender.bridge };
    const keyed = { scope: `${service}/${sender.bridge}`, key, hash: requestHash(req.path, req.body) };
    // On PostgreSQL the reward service first tries the batched two-round-trip path (reward/at-once.ts).
    const fast = atOnce === undefined ? null : await atOnce({ delivery, nowMs, key: keyed });
    if (fast !== null) {
      if ('refused' in fast) throw fast.refused;
      return fast.answer;
    }
    const ttlMs = deps.config.inFlightTtlSec * 1000;
    return idempotent(deps.db, { scope: keyed.scope, key: keyed.key, hash: keyed.hash, nowMs, ttlMs }, (q) => ingest(q, deps.db.dialect, deps.config, delivery, nowMs));
  };
}

const ok = (json: unknown, status = 200): Response => ({ status, json });

/** Counts each answer to a bridge, refusals included, by its HTTP status. */
function counted(metrics: ServicesMetrics | undefined, service: Service, handler: (req: Request) => Promise<Response>) {
  if (metrics === undefined) return handler;
  return async (req: Request): Promise<Response> => {
    try {
      const res = await handler(req);
      metrics.delivery(service, res.status);
      return res;
    } catch (err) {
      metrics.delivery(service, err instanceof HttpError ? err.status : 500);
      throw err;
    }
  };
}

export function buildRouter(deps: Deps): Router {
  const { db, config, clock } = deps;
  const r = new Router(config.bodyLimitBytes, clock);
  const purge = expireKeys(db, config.idempotencyKeyTtlHours * 3_600_000);

  const atOnce = db.dialect === 'postgres' ? atOnceBatcher(db, config, deps.onError) : undefined;
  r.add('POST', '/reward/v1/days', counted(deps.metrics, 'reward', dayEndpoint(deps, 'reward', ingestRewardDay, purge, atOnce)), { body: true });
  // Reads need a credential (auth.ts): the admin token, or the user's own token or session.
  const reader = (fn: (req: Request, viewer: Viewer) => Promise<Response>) => async (req: Request) => {
    const viewer = await viewerOf(db, config.adminToken, req);
    if (req.params.user !== undefined) mayRead(viewer, req.params.user);
    return fn(req, viewer);
  };

  r.add('GET', '/reward/v1/users/:user/awards', reader(async (req) => {
    await userOrThrow(db, req.params.user);
    const awards = await ledger(db, req.params.user);
    return ok({ user: req.params.user, currency: config.reward.currency, totalFen: awards.reduce((a, e) => a + e.amountFen, 0), awards });
  }));

  r.add('POST', '/social/v1/days', counted(deps.metrics, 'social', dayEndpoint(deps, 'social', ingestSocialDay, purge)), { body: true });
  r.add('GET', '/social/v1/users/:user/leaderboard', reader(async (req) => {
    const u = await userOrThrow(db, req.params.user);
    const date = dateParam(req.query.get('date'), clock(), Number(u.utc_offset_min));
    return ok({ user: u.id, date, ranking: await ranking(db, u.id, date) });
  }));
  r.add('GET', '/social/v1/users/:user/history', reader(async (req) => {
    const u = await userOrThrow(db, req.params.user);
    const to = dateParam(req.query.get('to'), clock(), Number(u.utc_offset_min));
    const from = dateParam(req.query.get('from') ?? dateString(dayNumber(to) - 29), clock(), 0);
    if (from > to) throw new HttpError(400, 'invalid_range', 'from is after to');
    return ok({ user: u.id, from, to, days: await history(db, u.id, from, to) });
  }));

  const admin = (fn: (body: Record<string, unknown>) => Promise<Response>) => async (req: Request) => {
    requireAdmin(req, config.adminToken);
    return fn(parseJsonObject(req.body));
  };
  r.add('POST', '/admin/v1/users', admin(async (b) => (await upsertUser(db, { id: b.id, name: b.name, utcOffsetMin: b.utcOffsetMin }, clock()), ok({ ok: true }, 201))), { body: true });
  r.add('POST', '/admin/v1/devices', admin(async (b) => (await registerDevice(db, { id: b.id, user: b.user, bridge: b.bridge, key: b.key ?? null }, config.bridges.map((x) => x.id), clock()), ok({ ok: true }, 201))), { body: true });
  r.add('POST', '/admin/v1/friendships', admin(async (b) => (await befriend(db, b.a, b.b), ok({ ok: true }, 201))), { body: true });
  // A login link for a user: GET /login?token=… sets the session cookie the dashboard reads with.
  r.add('POST', '/admin/v1/users/:user/tokens', async (req) => {
    requireAdmin(req, config.adminToken);
    const token = await issueUserToken(db, req.params.user, clock());
    return ok({ user: req.params.user, token, loginPath: `/login?token=${encodeURIComponent(token)}` }, 201);
  });
  r.add('DELETE', '/admin/v1/users/:user/tokens', async (req) => {
    requireAdmin(req, config.adminToken);
    return ok({ user: req.params.user, revoked: await revokeUserTokens(db, req.params.user) });
  });
  r.add('POST', '/admin/v1/payouts/run', admin(async () => ok(await runPayouts(db, deps.payer, clock()))), { body: true });

  r.add('GET', '/login', async (req) => {
    const token = req.query.get('token') ?? '';
    const viewer = await viewerOf(db, config.adminToken, { ...req, headers: { authorization: `Bearer ${token}` } });
    const to = viewer.admin ? '/' : `/?user=${encodeURIComponent(viewer.user)}`;
    return { status: 303, headers: { location: to, 'set-cookie': sessionCookie(token) }, json: { ok: true, location: to } };
  });
  r.add('POST', '/logout', async () => ({ status: 200, headers: { 'set-cookie': clearedCookie() }, json: { ok: true } }));
  // The admin sees every user, a page at a time (?after=<id>&limit=); a user, only themselves.
  r.add('GET', '/api/users', reader(async (req, viewer) => {
    const limit = limitParam(req.query.get('limit'));
    if (viewer.admin) return ok(await listUsers(db, req.query.get('after') ?? '', limit));
    const [self] = await db.all<{ id: string; name: string }>('SELECT id, name FROM users WHERE id = $1', [viewer.user]);
    return ok({ users: self === undefined ? [] : [self], next: null });
  }));
  r.add('GET', '/api/users/:user/overview', reader(async (req) => ok(await overview(db, config, req.params.user, req.query.get('date'), clock()))));
  r.add('GET', '/api/users/:user/hours', reader(async (req) => ok(await hours(db, req.params.user, req.query.get('date'), clock()))));
  r.add('GET', '/healthz', async () => ok({ ok: true, database: db.dialect }));
  if (deps.metrics !== undefined) {
    const registry = deps.metrics.registry;
    r.add('GET', '/metrics', async () => ({ status: 200, raw: { contentType: registry.contentType, data: await registry.metrics() } }));
  }

  for (const path of DASHBOARD_PATHS) r.add('GET', path, serveDashboard);
  return r;
}
