// The users, services and delivery sections of bushu.config.json, as zod schemas with their
// defaults. The types are inferred from the schemas, so a field is declared once.
import { z } from 'zod';
import { booleanValue, closedObject, httpUrl, integer, isPlainObject, mustBe, webhookSecret } from '../../shared/config-schema.ts';
import { DEVICE_ID, isDeviceId } from '../../shared/record/index.ts';

const SERVICE_NAME = /^[A-Za-z0-9._-]+$/;

export const SERVICE_TIMEOUT_MS = 10000;

export const usersSchema = z
  .record(
    z.string(),
    closedObject({
      devices: z.array(
        z.string({ error: mustBe('12 lower-case hex digits') }).regex(DEVICE_ID, { error: mustBe('12 lower-case hex digits') }),
        { error: 'must be a list of 12-hex-digit device ids' },
      ),
    }),
    { error: mustBe('an object') },
  )
  .superRefine(
    (users, ctx) => {
      // A device counts for one user only: two owners would each be credited its steps.
      const owner = new Map<string, string>();
      for (const [name, user] of Object.entries(users)) {
        devicesOf(user).forEach((device, i) => {
          const previous = owner.get(device);
          if (previous === undefined) owner.set(device, name);
          else if (isDeviceId(device)) ctx.addIssue({ code: 'custom', path: [name, 'devices', i], message: `device ${device} already belongs to user "${previous}"; a device may belong to one user only` });
        });
      }
    },
    // Also when another user or device is malformed, so that every problem shows at once.
    { when: (payload) => isPlainObject(payload.value) },
  );

/** The device entries of a user as given, whether or not they are all valid. */
function devicesOf(user: unknown): string[] {
  const devices = isPlainObject(user) && Array.isArray(user.devices) ? (user.devices as unknown[]) : [];
  return devices.map((d) => (typeof d === 'string' ? d : ''));
}

export const serviceSchema = closedObject({
  /** Letters, digits, ".", "_", "-": it is part of every Idempotency-Key. */
  name: z.string({ error: mustBe('a non-empty string') }).regex(SERVICE_NAME, { error: 'must be letters, digits, ".", "_" or "-"' }),
  /** Base URL; day records go to `${url}/v1/days`. */
  url: httpUrl(),
  /** `whsec_<base64>`: the Standard Webhooks signing key. */
  secret: webhookSecret(),
  timeoutMs: integer(1, 600000).default(SERVICE_TIMEOUT_MS),
  enabled: booleanValue().default(true),
});
export type ServiceConfig = z.output<typeof serviceSchema>;

export const servicesSchema = z.array(serviceSchema, { error: 'must be a list of {name, url, secret}' }).superRefine(
  (services, ctx) => {
    const seen = new Set<string>();
    services.forEach((s: unknown, i) => {
      const name = isPlainObject(s) && typeof s.name === 'string' ? s.name : undefined;
      if (name === undefined) return;
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate service "${name}"` });
      seen.add(name);
    });
  },
  { when: (payload) => Array.isArray(payload.value) },
);

export const deliverySchema = closedObject({
  /** Removed when delivery moved from an attempt budget to a time budget: say so, not just "unknown key". */
  maxAttempts: z.undefined({ error: 'no longer used: delivery retries for retryForHours (default 72) instead; remove it' }).optional(),
  /** First wait after a failed attempt; it doubles with each failure up to maxDelayMs. */
  baseDelayMs: integer(1, 3600000).default(1000),
  /** Cap of the backoff and of a server's Retry-After. */
  maxDelayMs: integer(1, 86400000).default(3_600_000),
  /**
   * Hours of retrying after a row's first failure before it is dead-lettered. The default, 72,
   * outlasts the services' 48 h grace for a day's award, so an outage shorter than the grace
   * never costs a hongbao.
   */
  retryForHours: integer(1, 24 * 30).default(72),
  /** A row dead-lettered for running out of time (not for a refusal) is tried again this often. */
  deadRetryHours: integer(1, 24 * 7).default(6),
  /** Requests in flight at once per service. */
  concurrency: integer(1, 64).default(4),
})
  .superRefine((d, ctx) => {
    if (d.maxDelayMs < d.baseDelayMs) ctx.addIssue({ code: 'custom', path: ['maxDelayMs'], message: `must be at least baseDelayMs (${d.baseDelayMs})` });
  })
  .prefault({});
export type DeliveryConfig = z.output<typeof deliverySchema>;

export const DELIVERY_DEFAULTS: DeliveryConfig = deliverySchema.parse(undefined);
