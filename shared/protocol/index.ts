// Everything of the protocol that the firmware may bundle. summary-verify.ts is left out on
// purpose: it needs node:crypto.

export * from './uuids.ts';
export * from './bytes.ts';
export * from './crc32.ts';
export * from './messages.ts';
export * from './control.ts';
export * from './history.ts';
export * from './time.ts';
export * from './wechat.ts';
export * from './summary.ts';
export * from './writes.ts';
