// The `ble` section of bushu.config.json. Its keys belong to the BLE side (bridge/ble); they are
// listed here, in one place, so adding one is a line in BLE_KEYS and its default.
import type { Problems } from './check.ts';

export interface BleConfig {
  /** How long one scan listens for advertisements. */
  scanSeconds: number;
  connectTimeoutMs: number;
  /** Longest silence allowed inside a history transfer before it is aborted. */
  transferTimeoutMs: number;
  /** `bushu run`: pause between sync rounds. */
  syncIntervalSeconds: number;
}

export const BLE_DEFAULTS: BleConfig = { scanSeconds: 10, connectTimeoutMs: 15000, transferTimeoutMs: 10000, syncIntervalSeconds: 300 };

const LIMITS: Record<keyof BleConfig, [number, number]> = {
  scanSeconds: [1, 3600],
  connectTimeoutMs: [100, 600000],
  transferTimeoutMs: [100, 600000],
  syncIntervalSeconds: [1, 86400],
};

export function checkBle(value: unknown, p: Problems): BleConfig {
  const out = { ...BLE_DEFAULTS };
  if (value === undefined) return out;
  const obj = p.object(value, 'ble', Object.keys(LIMITS));
  if (obj === undefined) return out;
  for (const key of Object.keys(LIMITS) as (keyof BleConfig)[]) {
    if (obj[key] === undefined) continue;
    const v = p.int(obj[key], `ble.${key}`, ...LIMITS[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
