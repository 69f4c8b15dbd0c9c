// The BLE central as the rest of the bridge sees it. Only noble-central.ts knows noble; the
// sync profiles, the pipeline and the tests talk to these two small interfaces, so every one of
// them runs against fakes (a direct in-memory central, or real noble on simulated bindings).

import type { Observable } from 'rxjs';
import { isDeviceId } from '../../shared/record/index.ts';

/** noble's adapter states, kept verbatim so log lines match noble's documentation. */
export type AdapterState = 'unknown' | 'resetting' | 'unsupported' | 'unauthorized' | 'poweredOff' | 'poweredOn';

export interface Advertisement {
  /** The central's handle for the peripheral (noble's peripheral id). */
  id: string;
  /** 12 lower-case hex digits (the protocol's device id) when the address is known, else id. */
  deviceId: string;
  name: string;
  /** Advertised service UUIDs in noble form (see normUuid). */
  serviceUuids: string[];
  rssi: number;
}

export interface Characteristic {
  uuid: string;
  properties: string[];
}

/** service UUID → its characteristics, all in noble form. */
export type Gatt = Map<string, Characteristic[]>;

export interface Link {
  readonly id: string;
  /** Discovers every service and characteristic; must precede read/write/subscribe. */
  discover(): Promise<Gatt>;
  read(service: string, characteristic: string): Promise<Uint8Array>;
  write(service: string, characteristic: string, data: Uint8Array, withResponse?: boolean): Promise<void>;
  /**
   * Notifications of one characteristic. Subscribing enables them on the peripheral; the last
   * unsubscribe disables them. Errors with a BleError when the link drops.
   */
  subscribe(service: string, characteristic: string): Promise<Observable<Uint8Array>>;
  /** Emits the reason once, when the link drops for any cause (including our disconnect()). */
  readonly disconnected$: Observable<string>;
  readonly connected: boolean;
  disconnect(): Promise<void>;
}

export interface Central {
  readonly state$: Observable<AdapterState>;
  /** Waits for poweredOn; rejects with an AdapterError that says how to fix anything else. */
  whenReady(timeoutMs?: number): Promise<void>;
  /** Advertisements of peripherals offering any of `serviceUuids` (noble form); empty = all. */
  scan(serviceUuids: string[]): Observable<Advertisement>;
  connect(id: string): Promise<Link>;
  close(): Promise<void>;
}

export type BleErrorCode = 'timeout' | 'disconnected' | 'not-found' | 'adapter' | 'gatt';

/** Every failure of a BLE operation; `code` is what the retry policy looks at. */
export class BleError extends Error {
  constructor(
    readonly code: BleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BleError';
  }
}

/** 'aa:bb:cc:dd:ee:ff' (noble, Espruino) to a device id; anything else is returned lower-cased. */
export function deviceIdOf(address: string | undefined, fallback: string): string {
  const hex = (address ?? '').split(' ')[0].replace(/:/g, '').toLowerCase();
  return isDeviceId(hex) ? hex : fallback.toLowerCase();
}
