// Which bridge sent a delivery. Every bridge has its own secrets (services config `bridges`), and
// the secret whose signature verifies is what names the sender: nothing in the request is taken
// on its word. The shared precheck (ingest.ts) then refuses a device that bridge does not serve.
import { verifyWebhook, type IncomingHeaders, type WebhookVerdict } from '../shared/webhook.ts';
import type { ServicesConfig } from './config.ts';

export type Service = 'reward' | 'social';

export type BridgeVerdict = { ok: true; bridge: string } | Exclude<WebhookVerdict, { ok: true }>;

/**
 * The bridge one of whose `service` secrets signed the request, or the verdict against it: 400
 * for malformed headers and 401 for a stale timestamp (the same whichever bridge is tried), 401
 * when no bridge's secret matches. Secrets are unique to a bridge (config.ts checks), so at most
 * one bridge verifies.
 */
export function identifyBridge(
  bridges: ServicesConfig['bridges'],
  service: Service,
  headers: IncomingHeaders,
  body: string,
  nowSec: number,
  toleranceSec: number,
): BridgeVerdict {
  const serving = bridges.filter((b) => b.secrets[service].length > 0);
  // With no secret at all, verifyWebhook still judges the headers, then answers "no secret configured".
  if (serving.length === 0) return verifyWebhook([], headers, body, nowSec, toleranceSec) as Exclude<WebhookVerdict, { ok: true }>;
  for (let i = 0; ; i++) {
    const verdict = verifyWebhook(serving[i].secrets[service], headers, body, nowSec, toleranceSec);
    if (verdict.ok) return { ok: true, bridge: serving[i].id };
    // A 400 (malformed headers) is the same for every bridge; a 401 is the last one's.
    if (verdict.status === 400 || i === serving.length - 1) return verdict;
  }
}
