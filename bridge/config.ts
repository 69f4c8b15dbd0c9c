// bushu.config.json: read once at start, checked by one zod schema (every problem named by its
// path, unknown keys included), defaulted, and overridden by environment variables. The result
// is a plain typed object.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, closedObject, nonEmptyString, oneOf, problemsOf, readJsonFile } from '../shared/config-schema.ts';
import { bleSchema, type BleConfig } from './config/ble.ts';
import { metricsSchema, mqttSchema, type MetricsConfig, type MqttConfig } from './config/outputs.ts';
import { applyEnvironment, type Env } from './config/env.ts';
import { LOG_LEVELS, type LogLevel } from './log-levels.ts';
import { deliverySchema, servicesSchema, usersSchema, type DeliveryConfig, type ServiceConfig } from './config/sections.ts';

export type { BleConfig } from './config/ble.ts';
export type { MetricsConfig, MqttConfig } from './config/outputs.ts';
export type { DeliveryConfig, ServiceConfig } from './config/sections.ts';
export { ConfigError } from '../shared/config-schema.ts';

export { LOG_LEVELS, type LogLevel } from './log-levels.ts';

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
  metrics: MetricsConfig;
  mqtt: MqttConfig;
  logLevel: LogLevel;
}

/** The whole file. Environment values are already in it (config/env.ts). */
const fileSchema = closedObject({
  /** Editors' JSON-schema hint; ignored. */
  $schema: nonEmptyString().optional(),
  dataDir: nonEmptyString().default('./data'),
  db: nonEmptyString().optional(),
  users: usersSchema.default({}),
  services: servicesSchema.default([]),
  delivery: deliverySchema,
  ble: bleSchema,
  metrics: metricsSchema,
  mqtt: mqttSchema,
  logLevel: oneOf(LOG_LEVELS).default('info'),
});

/**
 * Load the config: `path`, else $BUSHU_CONFIG, else ./bushu.config.json. Only the default file
 * may be missing (giving the defaults: no services, no users); a file asked for must exist.
 * Relative paths in the file are relative to the file; BUSHU_DB is relative to `cwd`.
 */
export function loadConfig(path?: string, env: Env = process.env, cwd = process.cwd()): BushuConfig {
  const asked = path ?? env.BUSHU_CONFIG;
  const file = resolve(cwd, asked ?? 'bushu.config.json');
  let raw: unknown = {};
  let found = false;
  if (existsSync(file)) {
    raw = readJsonFile(file);
    found = true;
  } else if (asked !== undefined) {
    throw new ConfigError(file, [`no such file${path === undefined ? ' (from BUSHU_CONFIG)' : ''}`]);
  }
  return parseConfig(raw, env, found ? file : null, found ? dirname(file) : cwd, cwd);
}

/** Validate an already parsed config object; `base` resolves its relative paths. */
export function parseConfig(raw: unknown, env: Env, file: string | null, base: string, cwd = base): BushuConfig {
  const { input, rename, problems } = applyEnvironment(raw, env, cwd);
  const parsed = fileSchema.safeParse(input);
  if (!parsed.success) problems.unshift(...problemsOf(parsed.error, rename));
  if (!parsed.success || problems.length > 0) throw new ConfigError(file ?? 'configuration', problems);

  const { dataDir, db, users, services, delivery, ble, metrics, mqtt, logLevel } = parsed.data;
  const dataAbs = resolve(base, dataDir);
  const deviceUsers: Record<string, string> = {};
  for (const [user, u] of Object.entries(users)) for (const d of u.devices) deviceUsers[d] = user;
  return { file, dataDir: dataAbs, db: db !== undefined ? resolve(base, db) : resolve(dataAbs, 'bushu.db'), users, deviceUsers, services, delivery, ble, metrics, mqtt, logLevel };
}

/** The enabled services' names, as Store.open wants them. */
export function enabledServices(config: BushuConfig): string[] {
  return config.services.filter((s) => s.enabled).map((s) => s.name);
}
