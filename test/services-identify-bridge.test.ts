// Which bridge sent a delivery (services/bridges.ts), in itself: the HTTP tests (services-bridges)
// show what each verdict does to a delivery.
import { describe, expect, it } from 'vitest';
import { identifyBridge } from '../services/bridges.ts';
import type { ServicesConfig } from '../services/config.ts';
import { signWebhook } from '../shared/webhook.ts';

const secret = (name: string) => 'whsec_' + Buffer.from(`the ${name} bridge's secret`).toString('base64');
const BODY = '{"steps":8123}';
const NOW = 1_800_000_000;
const bridges: ServicesConfig['bridges'] = [
  { id: 'home', secrets: { reward: [secret('home')], social: [] } },
  { id: 'office', secrets: { reward: [secret('office old'), secret('office')], social: [secret('office social')] } },
];
const from = (s: string, ts = NOW) => signWebhook(s, 'bushu:reward:c0ffee000001:2026-11-20:1', ts, BODY);

describe('identifyBridge', () => {
  it('names the bridge whose secret signed, whichever of its secrets and wherever it is listed', () => {
    expect(identifyBridge(bridges, 'reward', from(secret('home')), BODY, NOW, 300)).toEqual({ ok: true, bridge: 'home' });
    expect(identifyBridge(bridges, 'reward', from(secret('office')), BODY, NOW, 300)).toEqual({ ok: true, bridge: 'office' });
    expect(identifyBridge(bridges, 'social', from(secret('office social')), BODY, NOW, 300)).toEqual({ ok: true, bridge: 'office' });
  });

  it('answers 401 when no bridge of the service has the secret, 401 for a stale delivery, 400 for malformed headers', () => {
    expect(identifyBridge(bridges, 'reward', from(secret('stranger')), BODY, NOW, 300)).toMatchObject({ ok: false, status: 401, error: 'no webhook signature matches' });
    // The home bridge's secret is not a social secret: the only social bridge does not match.
    expect(identifyBridge(bridges, 'social', from(secret('home')), BODY, NOW, 300)).toMatchObject({ ok: false, status: 401 });
    expect(identifyBridge(bridges, 'reward', from(secret('home'), NOW - 301), BODY, NOW, 300)).toMatchObject({ ok: false, status: 401, error: expect.stringMatching(/too old/) });
    const { 'webhook-id': _, ...noId } = from(secret('home'));
    expect(identifyBridge(bridges, 'reward', noId, BODY, NOW, 300)).toMatchObject({ ok: false, status: 400, error: 'missing webhook-id header' });
  });

  it('with no bridge holding a secret for the service, still judges the headers, then says none is configured', () => {
    const none = bridges.map((b) => ({ ...b, secrets: { reward: [], social: [] } }));
    expect(identifyBridge(none, 'reward', from(secret('home')), BODY, NOW, 300)).toMatchObject({ ok: false, status: 401, error: 'no webhook secret configured' });
    expect(identifyBridge([], 'reward', { 'webhook-id': 'x' }, BODY, NOW, 300)).toMatchObject({ ok: false, status: 400, error: 'missing webhook-timestamp header' });
  });
});
