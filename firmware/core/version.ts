/**
 * Firmware version: major, minor, patch, as the watch reports it in Info. The App Loader names it
 * by the first two ("0.13" in firmware/bangle/metadata.json and ChangeLog; a test keeps them equal).
 */
export const VERSION = new Uint8Array([0, 13, 0]);
