// bushu.config.json: read once at start, validated by hand with every problem named by its path,
// defaulted, and overridden by environment variables. The result is a plain typed object.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkBle, type BleConfig } from './config/ble.ts';
import { Problems } from './config/check.ts';
import { applyServiceEnv, checkDelivery, checkServices, checkUsers, type DeliveryConfig, type ServiceConfig } from './config/sections.ts';

export type { BleConfig } from './config/ble.ts';
export type { DeliveryConfig, ServiceConfig } from './config/sections.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface BushuConfig {
  /** The file read, or null when none was found and the defaults apply. */
  file: string | null;
  dataDir: string;
  /** The SQLite file: `db`, else BUSHU_DB, else `<dataDir>/bushu.db` (absolute). */
  db: string;
  users: Record<string, { devices: string[] }>;
  /** device id → user, the inverse of users. */
  deviceUsers: Record<string, string>;
  /** All configured services; delivery uses the enabled ones. */
  services: ServiceConfig[];
  delivery: DeliveryConfig;
  ble: BleConfig;
  logLevel: LogLevel;
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.length === 1 ? problems[0] : 'invalid configuration:\n  ' + problems.join('\n  ')}`);
  }
}

const TOP_KEYS = ['$schema', 'dataDir', 'db', 'users', 'services', 'delivery', 'ble', 'logLevel'];

/**
 * Load the config: `path`, else $BUSHU_CONFIG, else ./bushu.config.json. Only the default file
 * may be missing (giving the defaults: no services, no users); a file asked for must exist.
 * Relative paths in the file are relative to the file; BUSHU_DB is relative to `cwd`.
 */
export function loadConfig(path?: string, env: Record<string, string | undefined> = process.env, cwd = process.cwd()): BushuConfig {
  const asked = path ?? env.BUSHU_CONFIG;
  const file = resolve(cwd, asked ?? 'bushu.config.json');
  let raw: unknown = {};
  let found = false;
  if (existsSync(file)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(file, [`cannot read: ${(e as Error).message}`]);
    }
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(file, [`not valid JSON: ${(e as Error).message}`]);
    }
    found = true;
  } else if (asked !== undefined) {
    throw new ConfigError(file, [`no such file${path === undefined ? ' (from BUSHU_CONFIG)' : ''}`]);
  }
  return parseConfig(raw, env, found ? file : null, found ? dirname(file) : cwd, cwd);
}

/** Validate an already parsed config object; `base` resolves its relative paths. */
export function parseConfig(raw: unknown, env: Record<string, string | undefined>, file: string | null, base: string, cwd = base): BushuConfig {
  const p = new Problems();
  const obj = p.object(raw, '', TOP_KEYS) ?? {};
  const dataDir = obj.dataDir === undefined ? './data' : (p.string(obj.dataDir, 'dataDir') ?? './data');
  const dbInFile = obj.db === undefined ? undefined : p.string(obj.db, 'db');
  const users = checkUsers(obj.users, p);
  const services = checkServices(obj.services, p);
  const delivery = checkDelivery(obj.delivery, p);
  const ble = checkBle(obj.ble, p);
  let logLevel: LogLevel = 'info';
  const level = env.BUSHU_LOG_LEVEL ?? obj.logLevel;
  if (level !== undefined) {
    if (LOG_LEVELS.includes(level as LogLevel)) logLevel = level as LogLevel;
    else p.add(env.BUSHU_LOG_LEVEL !== undefined ? 'BUSHU_LOG_LEVEL' : 'logLevel', `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  }
  applyServiceEnv(services, env, p);
  if (env.BUSHU_DB === '') p.add('BUSHU_DB', 'must not be empty');
  if (p.list.length > 0) throw new ConfigError(file ?? 'configuration', p.list);

  const dataAbs = resolve(base, dataDir);
  const db = env.BUSHU_DB ? resolve(cwd, env.BUSHU_DB) : dbInFile !== undefined ? resolve(base, dbInFile) : resolve(dataAbs, 'bushu.db');
  const deviceUsers: Record<string, string> = {};
  for (const [user, u] of Object.entries(users)) for (const d of u.devices) deviceUsers[d] = user;
  return { file, dataDir: dataAbs, db, users, deviceUsers, services, delivery, ble, logLevel };
}

/** The enabled services' names, as Store.open wants them. */
export function enabledServices(config: BushuConfig): string[] {
  return config.services.filter((s) => s.enabled).map((s) => s.name);
}
