// Service configuration: one zod schema that types, checks and defaults it, read once at start
// (bushu serve --config FILE, or tests passing a partial object). Every problem is reported at
// once, each with its path; an unknown key is one of them, since a misspelt `webhookSecret`
// would otherwise leave the default (no secret: every delivery refused) without a word.
// Money is integer fen to avoid float cents.
import { z } from 'zod';
import { atLeast, closedObject, ConfigError, integer, mustBe, problemsOf, readJsonFile, webhookSecret } from '../shared/config-schema.ts';
import { GOAL_STEPS } from '../shared/rewards.ts';
import { DEVICE_ID, USER_ID } from '../shared/record/index.ts';

export { ConfigError } from '../shared/config-schema.ts';

const userId = () => {
  const error = mustBe('1-64 letters, digits, "_", ".", "@" or "-"');
  return z.string({ error }).regex(USER_ID, { error });
};
const secrets = () => z.array(webhookSecret(), { error: mustBe('a list of "whsec_..." secrets') }).default([]);

export const BRIDGE_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const BRIDGE_ID_RULE = '1-64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit';
const bridgeId = () => z.string({ error: mustBe(BRIDGE_ID_RULE) }).regex(BRIDGE_ID, { error: mustBe(BRIDGE_ID_RULE) });

/**
 * One bridge and the secrets it signs its deliveries with, one list per service (several during
 * rotation). Per service, because the two services are separate trust domains: the reward
 * service pays money and the social one verifies no summary, so a leaked social secret must not
 * post to the reward service; the bridge's own config already holds one secret per service.
 */
const bridge = closedObject({
  id: bridgeId(),
  secrets: closedObject({ reward: secrets(), social: secrets() }),
});

/** A key that is no longer read: an error saying where its value went, not a silent default. */
const moved = (to: string) => z.undefined({ error: `no longer read: webhook secrets belong to a bridge now, ${to} (docs/api.md, "Bridges")` }).optional();

const seedUser = closedObject({
  id: userId(),
  name: z.string({ error: mustBe('1-80 characters') }).min(1, { error: mustBe('1-80 characters') }).max(80, { error: mustBe('1-80 characters') }),
  utcOffsetMin: integer(-720, 840).optional(),
});

const seedDevice = closedObject({
  id: z.string({ error: mustBe('12 lower-case hex digits') }).regex(DEVICE_ID, { error: mustBe('12 lower-case hex digits') }),
  user: userId(),
  /** The id of the bridge (in `bridges`) that delivers this device's days. */
  bridge: bridgeId(),
  /** 64 hex digits, or null for a device that never signs. */
  key: z
    .string({ error: mustBe('null or 64 hex digits') })
    .regex(/^[0-9a-f]{64}$/i, { error: mustBe('null or 64 hex digits') })
    .nullable(),
});

const plausibility = closedObject({
  /** Reject a day above this many steps. */
  dailyCap: integer(1).default(60000),
  /** Reject a day with an hour above this (200 steps/min sustained for 60 min). */
  maxStepsPerHour: integer(1).default(12000),
  /** Flag a day with at least this many walking hours ... */
  regularMinHours: integer(1).default(6),
  /** ... whose counts vary less than this (coefficient of variation). */
  regularMaxCv: atLeast(0).default(0.05),
}).prefault({});

const list = <T extends z.ZodType>(item: T, what: string) => z.array(item, { error: mustBe(`a list of ${what}`) }).default([]);

const servicesSchema = closedObject({
  /** Bearer token for /admin; null disables the admin API. */
  adminToken: z
    .string({ error: mustBe('null or at least 16 characters') })
    .min(16, { error: mustBe('null or at least 16 characters') })
    .nullable()
    .default(null),
  /** The bridges allowed to deliver days, each with its own secrets; a device names its bridge. */
  bridges: list(bridge, 'bridges {id, secrets}'),
  reward: closedObject({
    webhookSecrets: moved('bridges[].secrets.reward'),
    goalSteps: integer(1).default(GOAL_STEPS),
    amountFen: integer(1).default(88),
    currency: z.string({ error: mustBe('a currency code such as "CNY"') }).regex(/^[A-Z]{3}$/, { error: mustBe('a currency code such as "CNY"') }).default('CNY'),
    /** Hours after the local end of a day during which data can still earn its award. */
    graceHours: atLeast(0).default(48),
  }).prefault({}),
  social: closedObject({ webhookSecrets: moved('bridges[].secrets.social') }).prefault({}),
  plausibility,
  webhookToleranceSec: integer(1).default(300),
  /** An in-flight idempotency key older than this is presumed abandoned (a crashed process). */
  inFlightTtlSec: integer(1).default(60),
  /** A used key is forgotten this long after its first use (longer than a bridge retries quickly). */
  idempotencyKeyTtlHours: integer(1).default(168),
  bodyLimitBytes: integer(1).default(64 * 1024),
  /** Users, devices and friendships upserted at every start. */
  seed: closedObject({
    users: list(seedUser, 'users {id, name}'),
    devices: list(seedDevice, 'devices {id, user, bridge, key}'),
    friendships: list(z.tuple([userId(), userId()], { error: mustBe('a pair of user ids') }), 'pairs of user ids'),
  }).prefault({}),
}).superRefine(checkBridges, { when: () => true }); // also when other keys failed: every problem at once

/**
 * What no single key can check: bridge ids are unique, no secret belongs to two bridges (the
 * secret is what tells bridges apart), every bridge has a secret, and every seed device names a
 * listed bridge. Runs on the raw input too (when other keys failed), so it checks shapes itself.
 */
function checkBridges(input: unknown, ctx: z.RefinementCtx): void {
  const root = input as { bridges?: unknown; seed?: { devices?: unknown } } | null;
  const bridges = Array.isArray(root?.bridges) ? (root.bridges as unknown[]) : [];
  const ids = new Set<string>();
  const owner = new Map<string, string>();
  bridges.forEach((b, i) => {
    const { id, secrets: s } = (b ?? {}) as { id?: unknown; secrets?: Record<string, unknown> };
    if (typeof id !== 'string') return;
    if (ids.has(id)) ctx.addIssue({ code: 'custom', path: ['bridges', i, 'id'], message: `bridge "${id}" is listed twice` });
    ids.add(id);
    let count = 0;
    for (const service of ['reward', 'social'] as const) {
      const list = s?.[service];
      if (!Array.isArray(list)) {
        if (list !== undefined) count = NaN; // not a list: reported as such, not also as "no secret"
        continue;
      }
      count += list.length;
      list.forEach((secret, j) => {
        if (typeof secret !== 'string') return;
        const other = owner.get(secret);
        if (other !== undefined && other !== id) {
          ctx.addIssue({ code: 'custom', path: ['bridges', i, 'secrets', service, j], message: `also a secret of bridge "${other}": each bridge needs its own, since the secret is what tells bridges apart` });
        }
        owner.set(secret, id);
      });
    }
    if (typeof s === 'object' && s !== null && count === 0) ctx.addIssue({ code: 'custom', path: ['bridges', i, 'secrets'], message: 'a bridge needs at least one secret (reward or social)' });
  });
  const devices = Array.isArray(root?.seed?.devices) ? (root.seed.devices as unknown[]) : [];
  devices.forEach((d, i) => {
    const named = (d as { bridge?: unknown } | null)?.bridge;
    if (typeof named === 'string' && BRIDGE_ID.test(named) && !ids.has(named)) {
      const known = ids.size === 0 ? 'no bridges are listed' : `known: ${[...ids].join(', ')}`;
      ctx.addIssue({ code: 'custom', path: ['seed', 'devices', i, 'bridge'], message: `no bridge "${named}" in bridges (${known})` });
    }
  });
}

export type ServicesConfig = z.output<typeof servicesSchema>;
/** What tests and `--config` give: any key may be left out for its default. */
export type ConfigInput = z.input<typeof servicesSchema>;
export type PlausibilityLimits = ServicesConfig['plausibility'];
export type Seed = ServicesConfig['seed'];

export const DEFAULT_CONFIG: ServicesConfig = servicesSchema.parse({});

/** Defaults filled in and every value checked; throws a ConfigError listing every problem. */
export function resolveConfig(input: ConfigInput = {}, source = 'configuration'): ServicesConfig {
  const parsed = servicesSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(source, problemsOf(parsed.error));
  return parsed.data;
}

export function loadConfigFile(path: string): ServicesConfig {
  return resolveConfig(readJsonFile(path) as ConfigInput, path);
}
