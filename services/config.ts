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

const seedUser = closedObject({
  id: userId(),
  name: z.string({ error: mustBe('1-80 characters') }).min(1, { error: mustBe('1-80 characters') }).max(80, { error: mustBe('1-80 characters') }),
  utcOffsetMin: integer(-720, 840).optional(),
});

const seedDevice = closedObject({
  id: z.string({ error: mustBe('12 lower-case hex digits') }).regex(DEVICE_ID, { error: mustBe('12 lower-case hex digits') }),
  user: userId(),
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
  reward: closedObject({
    /** Standard Webhooks secrets (`whsec_…`); several during key rotation. */
    webhookSecrets: secrets(),
    goalSteps: integer(1).default(GOAL_STEPS),
    amountFen: integer(1).default(88),
    currency: z.string({ error: mustBe('a currency code such as "CNY"') }).regex(/^[A-Z]{3}$/, { error: mustBe('a currency code such as "CNY"') }).default('CNY'),
    /** Hours after the local end of a day during which data can still earn its award. */
    graceHours: atLeast(0).default(48),
  }).prefault({}),
  social: closedObject({ webhookSecrets: secrets() }).prefault({}),
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
    devices: list(seedDevice, 'devices {id, user, key}'),
    friendships: list(z.tuple([userId(), userId()], { error: mustBe('a pair of user ids') }), 'pairs of user ids'),
  }).prefault({}),
});

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
