// The `ble` section of bushu.config.json. Its keys belong to the BLE side (bridge/ble); they are
// listed here, in one place, so adding one is a line with its limits and default.
import { z } from 'zod';
import { closedObject, integer } from '../../shared/config-schema.ts';

export const bleSchema = closedObject({
  /** How long one scan listens for advertisements. */
  scanSeconds: integer(1, 3600).default(10),
  connectTimeoutMs: integer(100, 600000).default(15000),
  /** Longest silence allowed inside a history transfer before it is aborted. */
  transferTimeoutMs: integer(100, 600000).default(10000),
  /** `bushu run`: pause between sync rounds. */
  syncIntervalSeconds: integer(1, 86400).default(300),
}).prefault({});
export type BleConfig = z.output<typeof bleSchema>;

export const BLE_DEFAULTS: BleConfig = bleSchema.parse(undefined);
