// The users, services and delivery sections of bushu.config.json, and their environment overrides.
import type { Problems } from './check.ts';

export interface ServiceConfig {
  /** Letters, digits, ".", "_", "-": it is part of every Idempotency-Key. */
  name: string;
  /** Base URL; day records go to `${url}/v1/days`. */
  url: string;
  /** `whsec_<base64>`: the Standard Webhooks signing key. */
  secret: string;
  timeoutMs: number;
  enabled: boolean;
}

export interface DeliveryConfig {
  /** First wait after a failed attempt; it doubles with each failure up to maxDelayMs. */
  baseDelayMs: number;
  /** Cap of the backoff and of a server's Retry-After. */
  maxDelayMs: number;
  /**
   * Hours of retrying after a row's first failure before it is dead-lettered. The default, 72,
   * outlasts the services' 48 h grace for a day's award, so an outage shorter than the grace
   * never costs a hongbao.
   */
  retryForHours: number;
  /** A row dead-lettered for running out of time (not for a refusal) is tried again this often. */
  deadRetryHours: number;
  /** Requests in flight at once per service. */
  concurrency: number;
}

export const DELIVERY_DEFAULTS: DeliveryConfig = { baseDelayMs: 1000, maxDelayMs: 3_600_000, retryForHours: 72, deadRetryHours: 6, concurrency: 4 };
export const SERVICE_TIMEOUT_MS = 10000;

const SERVICE_NAME = /^[A-Za-z0-9._-]+$/;
const DEVICE = /^[0-9a-f]{12}$/;
const SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

export function checkUsers(value: unknown, p: Problems): Record<string, { devices: string[] }> {
  const out: Record<string, { devices: string[] }> = {};
  if (value === undefined) return out;
  const users = p.object(value, 'users', Object.keys((value as object) ?? {}));
  if (users === undefined) return out;
  const owner = new Map<string, string>();
  for (const [name, u] of Object.entries(users)) {
    const obj = p.object(u, `users.${name}`, ['devices']);
    if (obj === undefined) continue;
    if (!Array.isArray(obj.devices)) {
      p.add(`users.${name}.devices`, 'must be a list of 12-hex-digit device ids');
      continue;
    }
    out[name] = { devices: [] };
    obj.devices.forEach((d: unknown, i: number) => {
      const path = `users.${name}.devices[${i}]`;
      if (typeof d !== 'string' || !DEVICE.test(d)) return p.add(path, `must be 12 lower-case hex digits, got ${JSON.stringify(d)}`);
      const prev = owner.get(d);
      if (prev !== undefined) return p.add(path, `device ${d} already belongs to user "${prev}"; a device may belong to one user only`);
      owner.set(d, name);
      out[name].devices.push(d);
    });
  }
  return out;
}

export function checkServices(value: unknown, p: Problems): ServiceConfig[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    p.add('services', 'must be a list of {name, url, secret}');
    return [];
  }
  const out: ServiceConfig[] = [];
  const seen = new Set<string>();
  value.forEach((s: unknown, i: number) => {
    const at = `services[${i}]`;
    const obj = p.object(s, at, ['name', 'url', 'secret', 'timeoutMs', 'enabled']);
    if (obj === undefined) return;
    const name = p.string(obj.name, `${at}.name`);
    if (name !== undefined && !SERVICE_NAME.test(name)) p.add(`${at}.name`, 'must be letters, digits, ".", "_" or "-"');
    else if (name !== undefined && seen.has(name)) p.add(`${at}.name`, `duplicate service "${name}"`);
    if (name !== undefined) seen.add(name);
    const url = p.url(obj.url, `${at}.url`);
    const secret = typeof obj.secret === 'string' && SECRET.test(obj.secret) ? obj.secret : undefined;
    if (secret === undefined) p.add(`${at}.secret`, 'must be "whsec_" followed by base64 (Standard Webhooks)');
    const timeoutMs = obj.timeoutMs === undefined ? SERVICE_TIMEOUT_MS : p.int(obj.timeoutMs, `${at}.timeoutMs`, 1, 600000);
    const enabled = obj.enabled === undefined ? true : p.bool(obj.enabled, `${at}.enabled`);
    if (name && url && secret && timeoutMs !== undefined && enabled !== undefined) out.push({ name, url, secret, timeoutMs, enabled });
  });
  return out;
}

export function checkDelivery(value: unknown, p: Problems): DeliveryConfig {
  const out = { ...DELIVERY_DEFAULTS };
  if (value === undefined) return out;
  const limits: Record<keyof DeliveryConfig, [number, number]> = {
    baseDelayMs: [1, 3600000],
    maxDelayMs: [1, 86400000],
    retryForHours: [1, 24 * 30],
    deadRetryHours: [1, 24 * 7],
    concurrency: [1, 64],
  };
  const { maxAttempts, ...rest } = (value ?? {}) as Record<string, unknown>;
  // Removed when delivery moved from an attempt budget to a time budget: say so, not just "unknown key".
  if (maxAttempts !== undefined) p.add('delivery.maxAttempts', 'no longer used: delivery retries for retryForHours (default 72) instead; remove it');
  const obj = p.object(typeof value === 'object' && value !== null && !Array.isArray(value) ? rest : value, 'delivery', Object.keys(limits));
  if (obj === undefined) return out;
  for (const key of Object.keys(limits) as (keyof DeliveryConfig)[]) {
    if (obj[key] === undefined) continue;
    const v = p.int(obj[key], `delivery.${key}`, ...limits[key]);
    if (v !== undefined) out[key] = v;
  }
  if (out.maxDelayMs < out.baseDelayMs) p.add('delivery.maxDelayMs', `must be at least baseDelayMs (${out.baseDelayMs})`);
  return out;
}

/** BUSHU_SERVICE_<NAME>_URL / _SECRET: <NAME> is the service name upper-cased, other characters as "_". */
export function envName(service: string): string {
  return service.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

export function applyServiceEnv(services: ServiceConfig[], env: Record<string, string | undefined>, p: Problems): void {
  const claimed = new Set<string>();
  for (const s of services) {
    const base = `BUSHU_SERVICE_${envName(s.name)}`;
    claimed.add(base);
    if (env[`${base}_URL`] !== undefined) s.url = p.url(env[`${base}_URL`], `${base}_URL`) ?? s.url;
    const secret = env[`${base}_SECRET`];
    if (secret !== undefined) {
      if (SECRET.test(secret)) s.secret = secret;
      else p.add(`${base}_SECRET`, 'must be "whsec_" followed by base64 (Standard Webhooks)');
    }
  }
  // A service named only in the environment (no file entry) needs both its URL and its secret.
  for (const key of Object.keys(env).sort()) {
    const m = /^(BUSHU_SERVICE_(.+))_(URL|SECRET)$/.exec(key);
    if (m === null || claimed.has(m[1])) continue;
    claimed.add(m[1]);
    const name = m[2].toLowerCase();
    const url = env[`${m[1]}_URL`];
    const secret = env[`${m[1]}_SECRET`];
    if (url === undefined || secret === undefined) {
      p.add(key, `service "${name}" is not in the config file, so both ${m[1]}_URL and ${m[1]}_SECRET are needed`);
      continue;
    }
    const u = p.url(url, `${m[1]}_URL`);
    if (!SECRET.test(secret)) p.add(`${m[1]}_SECRET`, 'must be "whsec_" followed by base64 (Standard Webhooks)');
    else if (u !== undefined) services.push({ name, url: u, secret, timeoutMs: SERVICE_TIMEOUT_MS, enabled: true });
  }
}
