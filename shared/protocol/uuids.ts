// Names for every number on the wire (docs/protocol.md). TypeScript enums rather than objects:
// when bundling, esbuild replaces every member access by its value, even across modules, and
// drops an enum that is only read member by member, so the firmware carries no table of names.
// Keep it that way: iterating an enum or passing it around as a value would bring the object back.

/** The only layout version this module reads and writes. */
export const PROTOCOL_VERSION = 1;

/** UUIDs as Espruino's NRF.setServices wants them. */
export enum UUID {
  SERVICE = 'b5750001-7e4e-4b8a-9c2f-5a1d3e6f0b01',
  TODAY = 'b5750002-7e4e-4b8a-9c2f-5a1d3e6f0b01',
  CONTROL = 'b5750003-7e4e-4b8a-9c2f-5a1d3e6f0b01',
  HISTORY = 'b5750004-7e4e-4b8a-9c2f-5a1d3e6f0b01',
  STATUS = 'b5750005-7e4e-4b8a-9c2f-5a1d3e6f0b01',
  INFO = 'b5750006-7e4e-4b8a-9c2f-5a1d3e6f0b01',
  CURRENT_TIME = '0x2A2B',
  LOCAL_TIME_INFO = '0x2A0F',
  BATTERY_SERVICE = '0x180F',
  BATTERY_LEVEL = '0x2A19',
  WECHAT_SERVICE = '0xFEE7',
  WECHAT_STEPS = '0xFEA1',
  WECHAT_TARGET = '0xFEA2',
  WECHAT_ADDRESS = '0xFEC9',
  /** InfiniTime's motion service and its step count (PineTime), which the bridge reads. */
  INFINITIME_MOTION_SERVICE = '00030000-78fc-48fe-8e23-433b3a1942d0',
  INFINITIME_STEP_COUNT = '00030001-78fc-48fe-8e23-433b3a1942d0',
}

/**
 * noble's form of a UUID: lower case, no dashes, and 16-bit SIG UUIDs as 4 digits whether they
 * arrive as '0x2A2B', '2A2B' or the full '00002a2b-0000-1000-8000-00805f9b34fb'.
 */
export function normUuid(uuid: string): string {
  let u = uuid.toLowerCase().replace(/^0x/, '').replace(/-/g, '');
  if (u.length === 32 && u.startsWith('0000') && u.endsWith('00001000800000805f9b34fb')) u = u.slice(4, 8);
  return u;
}

function nobleUuids(): { readonly [name in keyof typeof UUID]: string } {
  const out: Record<string, string> = {};
  for (const name of Object.keys(UUID) as (keyof typeof UUID)[]) out[name] = normUuid(UUID[name]);
  return out as { [name in keyof typeof UUID]: string };
}

/**
 * The same UUIDs as noble reports them ('b57500017e4e…', '2a2b'), derived from UUID so the two
 * cannot drift. For the bridge and the simulator only: the firmware never reads it, and the pure
 * mark lets the bundler drop the call (and with it the UUID object) from every firmware bundle.
 */
export const NOBLE_UUID = /* @__PURE__ */ nobleUuids();

export enum Opcode {
  SEND_FROM = 0x01,
  ACK = 0x02,
  SET_KEY = 0x03,
  ABORT = 0x04,
  /** SEND_FROM, then the open day (a Day with seq 0, not closed, and its Summary when signed) before End. */
  SEND_OPEN = 0x05,
}

export enum StatusCode {
  OK = 0,
  BAD_LENGTH = 1,
  UNKNOWN_OPCODE = 2,
  BAD_VALUE = 3,
  REFUSED = 4,
  BUSY = 5,
  BAD_VERSION = 6,
}

/** Which write a Status notification answers. */
export enum StatusTarget {
  CONTROL = 1,
  CURRENT_TIME = 2,
  LOCAL_TIME_INFO = 3,
  WECHAT_TARGET = 4,
}

export enum RecordType {
  DAY = 0x01,
  SUMMARY = 0x02,
  END = 0x7f,
}

/** Bits of the Day record's flags byte. */
export enum DayFlag {
  CLOSED = 1,
  /** A Summary with the same seq follows. */
  SIGNED = 2,
}

export enum Hardware {
  BANGLEJS2 = 1,
  PUCKJS2 = 2,
}

export enum Length {
  TODAY = 13,
  STATUS = 4,
  DAY = 67,
  SUMMARY = 41,
  SUMMARY_MESSAGE = 19,
  /** The Summary record carrying a version 2 message. */
  SUMMARY_V2 = 49,
  /** Version 2: the version 1 fields, then the hours digest. */
  SUMMARY_MESSAGE_V2 = 27,
  /** The Summary record carrying a version 3 message. */
  SUMMARY_V3 = 54,
  /** Version 3: the version 2 fields, then the history epoch (u32) and the Day's flags (u8, bit 0 closed). */
  SUMMARY_MESSAGE_V3 = 32,
  /** The first bytes of SHA-256 over the Day's not-worn mask and hours that a version 2 message carries. */
  HOURS_DIGEST = 8,
  /** What the hours digest covers: the Day's u32 not-worn mask and 24 u16 hours, as the wire Day holds them. */
  NOT_WORN_AND_HOURS = 52,
  TAG = 16,
  END = 12,
  INFO = 18,
  /** Info as firmware before the history epoch sent it. */
  INFO_WITHOUT_EPOCH = 14,
  CURRENT_TIME = 10,
  LOCAL_TIME_INFO = 2,
  KEY = 32,
  DEVICE_ID = 6,
  /** A notification never carries more (ATT MTU 131 minus 3). */
  MAX_PAYLOAD = 128,
}
