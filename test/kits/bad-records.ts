// Records that break the day-record contract one field at a time, with the field each must be
// rejected for: the contract's own test and both sides' wrappers (bridge store, services) run it.

/** [what is wrong, the patch over a sound record, the field named]. Day fields only. */
export const BAD_DAY_FIELDS: [string, Record<string, unknown>, string][] = [
  ['SQL in the device id', { device: "a1' OR '1'='1" }, 'device'],
  ['upper-case device id', { device: 'C0FFEE000001' }, 'device'],
  ['unknown source', { source: 'fitbit' }, 'source'],
  ['impossible date', { date: '2026-02-30' }, 'date'],
  ['date in another format', { date: '20/11/2026' }, 'date'],
  ['date as a number', { date: 20777 }, 'date'],
  ['offset beyond +14 h', { utcOffsetMin: 900 }, 'utcOffsetMin'],
  ['fractional offset', { utcOffsetMin: 30.5 }, 'utcOffsetMin'],
  ['negative steps', { steps: -1 }, 'steps'],
  ['absurd steps', { steps: 10_000_001 }, 'steps'],
  ['steps as a string', { steps: '9000' }, 'steps'],
  ['3 hours', { hours: [1, 2, 3] }, 'hours'],
  ['a negative hour', { hours: [-1, ...new Array(23).fill(0)] }, 'hours'],
  ['hours that do not add up to steps', { steps: 1, hours: [2, ...new Array(23).fill(0)] }, 'hours'],
  ['not-worn hour 24', { notWornHours: [24] }, 'notWornHours'],
  ['not-worn hour twice', { notWornHours: [3, 3] }, 'notWornHours'],
  ['closed as a string', { closed: 'yes' }, 'closed'],
  ['summary not an object', { summary: 'signed' }, 'summary'],
  ['summary message not hex', { summary: { message: 'zz', tag: 'aa'.repeat(16) } }, 'summary.message'],
  ['summary tag too short', { summary: { message: '01'.repeat(19), tag: 'aa' } }, 'summary.tag'],
  ['firmware as a number', { firmware: 2 }, 'firmware'],
  ['firmware too long', { firmware: 'x'.repeat(33) }, 'firmware'],
  ['firmware with a NUL', { firmware: '0.2\u0000' }, 'firmware'],
  ['firmware with a newline', { firmware: '0.2\n' }, 'firmware'],
  ['firmware with an unpaired surrogate', { firmware: '0.2\ud800' }, 'firmware'],
];

/** The envelope the services also check. */
export const BAD_ENVELOPES: [string, Record<string, unknown>, string][] = [
  ['schema 2', { schema: 2 }, 'schema'],
  ['record version 0', { recordVersion: 0 }, 'recordVersion'],
  ['SQL in the user', { user: "alice'; DROP TABLE users; --" }, 'user'],
  ['empty user', { user: '' }, 'user'],
  ['syncedAt in words', { syncedAt: 'yesterday' }, 'syncedAt'],
  ['syncedAt not UTC', { syncedAt: '2026-11-21T01:02:03+08:00' }, 'syncedAt'],
];
