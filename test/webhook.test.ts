import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { idempotencyKey, isWebhookSecret, signWebhook, verifyWebhook } from '../shared/webhook.ts';

const OLD = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEW = 'whsec_' + Buffer.from('a brand new webhook secret key!!').toString('base64');
const BODY = '{"schema":1,"steps":8123}';
const NOW = 1_800_000_000;

describe('signWebhook', () => {
  it('matches the Standard Webhooks reference vector', () => {
    const h = signWebhook(OLD, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(h).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('refuses a secret that is not whsec_<base64>', () => {
    expect(() => signWebhook('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'id', NOW, BODY)).toThrow(/whsec_/);
    expect(() => signWebhook('whsec_not base64!', 'id', NOW, BODY)).toThrow(/whsec_/);
    expect(() => signWebhook(OLD, 'id', 1.5, BODY)).toThrow(/integer seconds/);
  });

  it('is what the standardwebhooks package itself verifies', () => {
    const nowSec = Math.floor(Date.now() / 1000);
    const h = signWebhook(NEW, 'msg_1', nowSec, BODY);
    expect(new Webhook(NEW).verify(BODY, h)).toEqual(JSON.parse(BODY));
    expect(() => new Webhook(OLD).verify(BODY, h)).toThrow(/No matching signature/);
    // The body is signed as UTF-8, as the package encodes it.
    const named = '{"name":"步数 walker"}';
    expect(new Webhook(NEW).verify(named, signWebhook(NEW, 'msg_2', nowSec, named))).toEqual(JSON.parse(named));
  });
});

describe('isWebhookSecret', () => {
  it('takes whsec_ and canonical base64 only', () => {
    expect([OLD, NEW, 'whsec_AA=='].every(isWebhookSecret)).toBe(true);
    for (const bad of ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_', 'whsec_AA=', 'whsec_not base64!', 'whsec_AAA===', 42, null]) {
      expect(isWebhookSecret(bad), String(bad)).toBe(false);
    }
  });
});

describe('verifyWebhook', () => {
  const signed = (secret = OLD, ts = NOW) => signWebhook(secret, 'bushu:strava:c0ffee000001:2026-11-20:3', ts, BODY);

  it('verifies under each of many secrets, more than it keeps decoded at once', () => {
    // 100 secrets: the decoded keys are dropped and decoded again on the way (shared/webhook.ts keyOf).
    const secrets = Array.from({ length: 100 }, (_, i) => 'whsec_' + Buffer.from(`secret number ${i} of a hundred`).toString('base64'));
    for (const round of [0, 1]) {
      secrets.forEach((secret, i) => {
        expect(verifyWebhook([secret], signed(secret), BODY, NOW), `round ${round}, secret ${i}`).toEqual({ ok: true });
        expect(verifyWebhook([secrets[(i + 1) % secrets.length]], signed(secret), BODY, NOW).ok).toBe(false);
      });
    }
    expect(new Webhook(secrets[99]).verify(BODY, signWebhook(secrets[99], 'msg_9', Math.floor(Date.now() / 1000), BODY))).toEqual(JSON.parse(BODY));
  });

  it('accepts a fresh, authentic delivery, whatever the header case', () => {
    expect(verifyWebhook([OLD], signed(), BODY, NOW)).toEqual({ ok: true });
    const h = signed();
    const mixed = { 'Webhook-Id': h['webhook-id'], 'WEBHOOK-TIMESTAMP': h['webhook-timestamp'], 'Webhook-Signature': h['webhook-signature'] };
    expect(verifyWebhook([OLD], mixed, BODY, NOW)).toEqual({ ok: true });
  });

  it('answers 400 for each missing or malformed header', () => {
    const h = signed();
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const partial: Record<string, string> = { ...h };
      delete partial[name];
      expect(verifyWebhook([OLD], partial, BODY, NOW)).toEqual({ ok: false, status: 400, error: 'missing ' + name + ' header' });
    }
    expect(verifyWebhook([OLD], { ...h, 'webhook-timestamp': '18e8' }, BODY, NOW)).toMatchObject({ ok: false, status: 400 });
    expect(verifyWebhook([OLD], { ...h, 'webhook-signature': 'nocomma' }, BODY, NOW)).toMatchObject({ ok: false, status: 400 });
    expect(verifyWebhook([OLD], { ...h, 'webhook-signature': 'v1a,abcd' }, BODY, NOW)).toEqual({ ok: false, status: 400, error: 'webhook-signature has no v1 signature' });
  });

  it('answers 401 for a stale or future timestamp, inside the tolerance it accepts', () => {
    expect(verifyWebhook([OLD], signed(OLD, NOW - 301), BODY, NOW)).toMatchObject({ ok: false, status: 401, error: 'webhook-timestamp is too old (301 s)' });
    expect(verifyWebhook([OLD], signed(OLD, NOW + 301), BODY, NOW)).toMatchObject({ ok: false, status: 401, error: 'webhook-timestamp is in the future (301 s)' });
    expect(verifyWebhook([OLD], signed(OLD, NOW - 300), BODY, NOW)).toEqual({ ok: true });
    expect(verifyWebhook([OLD], signed(OLD, NOW + 300), BODY, NOW)).toEqual({ ok: true });
    expect(verifyWebhook([OLD], signed(OLD, NOW - 3600), BODY, NOW, 7200)).toEqual({ ok: true });
  });

  it('judges freshness on the caller\'s clock, not the real one (simulated time)', () => {
    const simulated = 1_000_000_000; // 2001: decades from the real clock
    expect(verifyWebhook([OLD], signed(OLD, simulated - 60), BODY, simulated)).toEqual({ ok: true });
    expect(verifyWebhook([OLD], signed(OLD, simulated - 60), BODY, NOW)).toMatchObject({ ok: false, status: 401 });
  });

  it('answers 401 when nothing matches: other body, id, timestamp or secret', () => {
    const h = signed();
    const mismatch = { ok: false, status: 401, error: 'no webhook signature matches' };
    expect(verifyWebhook([OLD], h, BODY + ' ', NOW)).toEqual(mismatch);
    expect(verifyWebhook([OLD], { ...h, 'webhook-id': 'other' }, BODY, NOW)).toEqual(mismatch);
    expect(verifyWebhook([OLD], { ...h, 'webhook-timestamp': String(NOW + 1) }, BODY, NOW)).toEqual(mismatch);
    expect(verifyWebhook([NEW], h, BODY, NOW)).toEqual(mismatch);
    expect(verifyWebhook([OLD], { ...h, 'webhook-signature': 'v1,AAAA' }, BODY, NOW)).toEqual(mismatch);
  });

  it('accepts any of several signatures, skipping other versions', () => {
    const good = signed()['webhook-signature'];
    const other = signed(NEW)['webhook-signature'];
    const h = { ...signed(), 'webhook-signature': 'v1a,c29tZXRoaW5n ' + other + ' ' + good };
    expect(verifyWebhook([OLD], h, BODY, NOW)).toEqual({ ok: true });
  });

  it('supports key rotation with several secrets', () => {
    expect(verifyWebhook([NEW, OLD], signed(OLD), BODY, NOW)).toEqual({ ok: true });
    expect(verifyWebhook([NEW, OLD], signed(NEW), BODY, NOW)).toEqual({ ok: true });
    expect(verifyWebhook([NEW], signed(OLD), BODY, NOW)).toMatchObject({ ok: false, status: 401 });
  });

  it('answers 401 when a configured secret is malformed or none is configured', () => {
    expect(verifyWebhook(['secret'], signed(), BODY, NOW)).toEqual({ ok: false, status: 401, error: 'configured secret 0 is not "whsec_<base64>"' });
    expect(verifyWebhook([], signed(), BODY, NOW)).toEqual({ ok: false, status: 401, error: 'no webhook secret configured' });
  });
});

describe('idempotencyKey', () => {
  it('joins service, device, date and version', () => {
    expect(idempotencyKey('strava', 'c0ffee000001', '2026-11-20', 3)).toBe('bushu:strava:c0ffee000001:2026-11-20:3');
  });

  it('refuses parts that would make an ambiguous key', () => {
    expect(() => idempotencyKey('a:b', 'c0ffee000001', '2026-11-20', 3)).toThrow(RangeError);
    expect(() => idempotencyKey('strava', 'C0FFEE000001', '2026-11-20', 3)).toThrow(/12 lower-case hex/);
    expect(() => idempotencyKey('strava', 'c0ffee000001', '2026-02-30', 3)).toThrow(/no such date/);
    expect(() => idempotencyKey('strava', 'c0ffee000001', '2026-11-20', 0)).toThrow(/positive integer/);
  });
});
