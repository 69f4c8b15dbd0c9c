// Deterministic secrets for the demo, derived from the seed: device HMAC keys, webhook secrets
// and the services' admin token. Deterministic so a second run on the same data directory
// provisions the same keys (the services already know them) and signs the same summaries.
// These are demo secrets only: anyone who knows the seed can recompute them.
import { createHmac } from 'node:crypto';

function derive(seed: number, purpose: string): Buffer {
  return createHmac('sha256', 'bushu-demo:' + seed).update(purpose).digest();
}

/** 32-byte device key as 64 hex digits, the form the services and the flasher's --key take. */
export function deviceKeyHex(seed: number, deviceId: string): string {
  return derive(seed, 'device-key:' + deviceId).toString('hex');
}

/** `whsec_<base64>` webhook secret for one service (shared by bridge and service). */
export function webhookSecret(seed: number, service: string): string {
  return 'whsec_' + derive(seed, 'webhook:' + service).toString('base64');
}

export function adminToken(seed: number): string {
  return 'demo-admin-' + derive(seed, 'admin').toString('hex').slice(0, 32);
}
