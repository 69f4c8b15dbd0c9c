// The identifiers a day record carries, defined once for the bridge (config, BLE, store) and the
// services (ingest, registry). Node only: Espruino never matches counted quantifiers such as {12},
// so the firmware spells its own checks out.

/** A device id: the watch's 6-byte BLE address as 12 lower-case hex digits (the protocol's device id). */
export const DEVICE_ID = /^[0-9a-f]{12}$/;
export const DEVICE_ID_RULE = 'must be 12 lower-case hex digits';

/**
 * A user id: restricted to a safe alphabet, so a hostile string never reaches SQL or the
 * dashboard as an id (ids are bound as parameters anyway).
 */
export const USER_ID = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
export const USER_ID_RULE = 'must be 1-64 letters, digits, "_", ".", "@" or "-"';

export function isDeviceId(x: unknown): x is string {
  return typeof x === 'string' && DEVICE_ID.test(x);
}

export function isUserId(x: unknown): x is string {
  return typeof x === 'string' && USER_ID.test(x);
}
