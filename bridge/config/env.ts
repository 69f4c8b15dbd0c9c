// Environment overrides of bushu.config.json: BUSHU_DB, BUSHU_LOG_LEVEL and
// BUSHU_SERVICE_<NAME>_URL / _SECRET. They are written into the file's object before the one
// schema checks it, and a problem with an overridden value is reported under the variable's
// name, since that is where the user must fix it.
import { resolve } from 'node:path';
import { isPlainObject } from '../../shared/config-schema.ts';

export type Env = Record<string, string | undefined>;

export interface Overridden {
  /** The file's object with the environment's values in it. */
  input: unknown;
  /** A problem's path ("services[0].url") to where its value came from ("BUSHU_SERVICE_X_URL"). */
  rename(path: string): string;
  /** Problems of the environment itself, found before any value is checked. */
  problems: string[];
}

/** <NAME> is the service name upper-cased, other characters as "_". */
export function envName(service: string): string {
  return service.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

export function applyEnvironment(raw: unknown, env: Env, cwd: string): Overridden {
  const from = new Map<string, string>();
  const rename = (path: string) => from.get(path) ?? path;
  const problems: string[] = [];
  if (!isPlainObject(raw)) return { input: raw, rename, problems };
  const input: Record<string, unknown> = { ...raw };

  if (env.BUSHU_LOG_LEVEL !== undefined) {
    input.logLevel = env.BUSHU_LOG_LEVEL;
    from.set('logLevel', 'BUSHU_LOG_LEVEL');
  }
  if (env.BUSHU_MQTT_URL !== undefined) {
    input.mqtt = { ...(isPlainObject(input.mqtt) ? input.mqtt : {}), url: env.BUSHU_MQTT_URL === '' ? null : env.BUSHU_MQTT_URL };
    from.set('mqtt.url', 'BUSHU_MQTT_URL');
  }
  if (env.BUSHU_DB !== undefined) {
    // Relative to the working directory, where the file's `db` is relative to the file.
    input.db = env.BUSHU_DB === '' ? '' : resolve(cwd, env.BUSHU_DB);
    from.set('db', 'BUSHU_DB');
  }
  if (input.services !== undefined && !Array.isArray(input.services)) return { input, rename, problems };

  const services = ((input.services as unknown[] | undefined) ?? []).map((s) => (isPlainObject(s) ? { ...s } : s));
  const claimed = new Set<string>();
  const override = (i: number, service: Record<string, unknown>, base: string) => {
    for (const [field, suffix] of [['url', '_URL'], ['secret', '_SECRET']]) {
      if (env[base + suffix] === undefined) continue;
      service[field] = env[base + suffix];
      from.set(`services[${i}].${field}`, base + suffix);
    }
  };
  services.forEach((s, i) => {
    if (!isPlainObject(s) || typeof s.name !== 'string') return;
    const base = `BUSHU_SERVICE_${envName(s.name)}`;
    claimed.add(base);
    override(i, s, base);
  });
  // A service named only in the environment (no file entry) needs both its URL and its secret.
  for (const key of Object.keys(env).sort()) {
    const m = /^(BUSHU_SERVICE_(.+))_(URL|SECRET)$/.exec(key);
    if (m === null || claimed.has(m[1])) continue;
    const base = m[1];
    claimed.add(base);
    if (env[`${base}_URL`] === undefined || env[`${base}_SECRET`] === undefined) {
      problems.push(`${key}: service "${m[2].toLowerCase()}" is not in the config file, so both ${base}_URL and ${base}_SECRET are needed`);
      continue;
    }
    const service: Record<string, unknown> = { name: m[2].toLowerCase() };
    from.set(`services[${services.length}].name`, `${base}_URL`);
    override(services.length, service, base);
    services.push(service);
  }
  if (services.length > 0 || input.services !== undefined) input.services = services;
  return { input, rename, problems };
}
