// Service configuration: typed, validated and defaulted here, read once at start (bushu serve
// --config FILE, or tests passing a partial object). Money is integer fen to avoid float cents.
import { readFileSync } from 'node:fs';
import { GOAL_STEPS } from '../shared/rewards.ts';

export interface SeedUser {
  id: string;
  name: string;
  utcOffsetMin?: number;
}
export interface SeedDevice {
  id: string;
  user: string;
  /** 64 hex digits, or null for a device that never signs. */
  key: string | null;
}
export interface Seed {
  users: SeedUser[];
  devices: SeedDevice[];
  friendships: Array<[string, string]>;
}

export interface PlausibilityLimits {
  /** Reject a day above this many steps. */
  dailyCap: number;
  /** Reject a day with an hour above this (200 steps/min sustained for 60 min). */
  maxStepsPerHour: number;
  /** Flag a day with at least this many walking hours ... */
  regularMinHours: number;
  /** ... whose counts vary less than this (coefficient of variation). */
  regularMaxCv: number;
}

export interface ServicesConfig {
  /** Bearer token for /admin; null disables the admin API. */
  adminToken: string | null;
  reward: {
    /** Standard Webhooks secrets (`whsec_…`); several during key rotation. */
    webhookSecrets: string[];
    goalSteps: number;
    amountFen: number;
    currency: string;
    /** Hours after the local end of a day during which data can still earn its award. */
    graceHours: number;
  };
  social: { webhookSecrets: string[] };
  plausibility: PlausibilityLimits;
  webhookToleranceSec: number;
  /** An in-flight idempotency key older than this is presumed abandoned (a crashed process). */
  inFlightTtlSec: number;
  /** A used key is forgotten this long after its first use (longer than a bridge retries quickly). */
  idempotencyKeyTtlHours: number;
  bodyLimitBytes: number;
  seed: Seed;
}

export const DEFAULT_CONFIG: ServicesConfig = {
  adminToken: null,
  reward: { webhookSecrets: [], goalSteps: GOAL_STEPS, amountFen: 88, currency: 'CNY', graceHours: 48 },
  social: { webhookSecrets: [] },
  plausibility: { dailyCap: 60000, maxStepsPerHour: 12000, regularMinHours: 6, regularMaxCv: 0.05 },
  webhookToleranceSec: 300,
  inFlightTtlSec: 60,
  idempotencyKeyTtlHours: 168,
  bodyLimitBytes: 64 * 1024,
  seed: { users: [], devices: [], friendships: [] },
};

export type ConfigInput = {
  [K in keyof ServicesConfig]?: ServicesConfig[K] extends unknown[] | null | string | number
    ? ServicesConfig[K]
    : Partial<ServicesConfig[K]>;
};

/** Defaults filled in and every value checked; throws with the offending key. */
export function resolveConfig(input: ConfigInput = {}): ServicesConfig {
  const d = DEFAULT_CONFIG;
  const c: ServicesConfig = {
    adminToken: input.adminToken ?? d.adminToken,
    reward: { ...d.reward, ...input.reward },
    social: { ...d.social, ...input.social },
    plausibility: { ...d.plausibility, ...input.plausibility },
    webhookToleranceSec: input.webhookToleranceSec ?? d.webhookToleranceSec,
    inFlightTtlSec: input.inFlightTtlSec ?? d.inFlightTtlSec,
    idempotencyKeyTtlHours: input.idempotencyKeyTtlHours ?? d.idempotencyKeyTtlHours,
    bodyLimitBytes: input.bodyLimitBytes ?? d.bodyLimitBytes,
    seed: { ...d.seed, ...input.seed },
  };
  const positive: Array<[string, number]> = [
    ['reward.goalSteps', c.reward.goalSteps],
    ['reward.amountFen', c.reward.amountFen],
    ['plausibility.dailyCap', c.plausibility.dailyCap],
    ['plausibility.maxStepsPerHour', c.plausibility.maxStepsPerHour],
    ['plausibility.regularMinHours', c.plausibility.regularMinHours],
    ['webhookToleranceSec', c.webhookToleranceSec],
    ['inFlightTtlSec', c.inFlightTtlSec],
    ['idempotencyKeyTtlHours', c.idempotencyKeyTtlHours],
    ['bodyLimitBytes', c.bodyLimitBytes],
  ];
  for (const [key, v] of positive) if (!Number.isInteger(v) || v <= 0) throw new Error(`config ${key} must be a positive integer, got ${v}`);
  if (!(c.reward.graceHours >= 0)) throw new Error('config reward.graceHours must be >= 0');
  if (!(c.plausibility.regularMaxCv >= 0)) throw new Error('config plausibility.regularMaxCv must be >= 0');
  for (const s of [...c.reward.webhookSecrets, ...c.social.webhookSecrets]) {
    if (typeof s !== 'string' || !/^whsec_[A-Za-z0-9+/=]{8,}$/.test(s)) throw new Error('config webhook secrets must look like whsec_<base64>');
  }
  if (c.adminToken !== null && (typeof c.adminToken !== 'string' || c.adminToken.length < 16)) {
    throw new Error('config adminToken must be at least 16 characters');
  }
  return c;
}

export function loadConfigFile(path: string): ServicesConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read config ${path}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`config ${path}: not a JSON object`);
  return resolveConfig(parsed as ConfigInput);
}
