// Names for every number on the wire (docs/protocol.md). Plain objects, not TypeScript enums:
// enums compile to code Espruino pays for at load time and gain nothing here.

/** The only layout version this module reads and writes. */
export const PROTOCOL_VERSION = 1;

/** UUIDs as Espruino's NRF.setServices wants them. */
export const UUID = {
  SERVICE: 'b5750001-7e4e-4b8a-9c2f-5a1d3e6f0b01',
  TODAY: 'b5750002-7e4e-4b8a-9c2f-5a1d3e6f0b01',
  CONTROL: 'b5750003-7e4e-4b8a-9c2f-5a1d3e6f0b01',
  HISTORY: 'b5750004-7e4e-4b8a-9c2f-5a1d3e6f0b01',
  STATUS: 'b5750005-7e4e-4b8a-9c2f-5a1d3e6f0b01',
  INFO: 'b5750006-7e4e-4b8a-9c2f-5a1d3e6f0b01',
  CURRENT_TIME: '0x2A2B',
  LOCAL_TIME_INFO: '0x2A0F',
  BATTERY_SERVICE: '0x180F',
  BATTERY_LEVEL: '0x2A19',
  WECHAT_SERVICE: '0xFEE7',
  WECHAT_STEPS: '0xFEA1',
  WECHAT_TARGET: '0xFEA2',
  WECHAT_ADDRESS: '0xFEC9',
} as const;

/** The same UUIDs as noble reports them: lower case, no dashes, 16-bit ones as 4 digits. */
export const NOBLE_UUID = {
  SERVICE: 'b57500017e4e4b8a9c2f5a1d3e6f0b01',
  TODAY: 'b57500027e4e4b8a9c2f5a1d3e6f0b01',
  CONTROL: 'b57500037e4e4b8a9c2f5a1d3e6f0b01',
  HISTORY: 'b57500047e4e4b8a9c2f5a1d3e6f0b01',
  STATUS: 'b57500057e4e4b8a9c2f5a1d3e6f0b01',
  INFO: 'b57500067e4e4b8a9c2f5a1d3e6f0b01',
  CURRENT_TIME: '2a2b',
  LOCAL_TIME_INFO: '2a0f',
  BATTERY_SERVICE: '180f',
  BATTERY_LEVEL: '2a19',
  WECHAT_SERVICE: 'fee7',
  WECHAT_STEPS: 'fea1',
  WECHAT_TARGET: 'fea2',
  WECHAT_ADDRESS: 'fec9',
} as const;

export const Opcode = {
  SEND_FROM: 0x01,
  ACK: 0x02,
  SET_KEY: 0x03,
  ABORT: 0x04,
} as const;

export const StatusCode = {
  OK: 0,
  BAD_LENGTH: 1,
  UNKNOWN_OPCODE: 2,
  BAD_VALUE: 3,
  REFUSED: 4,
  BUSY: 5,
  BAD_VERSION: 6,
} as const;

/** Which write a Status notification answers. */
export const StatusTarget = {
  CONTROL: 1,
  CURRENT_TIME: 2,
  LOCAL_TIME_INFO: 3,
  WECHAT_TARGET: 4,
} as const;

export const RecordType = {
  DAY: 0x01,
  SUMMARY: 0x02,
  END: 0x7f,
} as const;

export const Hardware = {
  BANGLEJS2: 1,
  PUCKJS2: 2,
} as const;

export const Length = {
  TODAY: 13,
  STATUS: 4,
  DAY: 67,
  SUMMARY: 41,
  SUMMARY_MESSAGE: 19,
  TAG: 16,
  END: 12,
  INFO: 14,
  CURRENT_TIME: 10,
  LOCAL_TIME_INFO: 2,
  KEY: 32,
  DEVICE_ID: 6,
  /** A notification never carries more (ATT MTU 131 minus 3). */
  MAX_PAYLOAD: 128,
} as const;
