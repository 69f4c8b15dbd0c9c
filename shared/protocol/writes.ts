// The four writes the watch accepts, checked in one place: Control, Current Time (0x2A2B),
// Local Time Information (0x2A0F) and the WeChat step target (0xFEA2). The bridge's decoders
// (control.ts, time.ts, wechat.ts) read their values after this check; the watch runs only the
// check and then reads the few bytes it acts on, so it carries one function for all four
// instead of a decoder, a Result and a converter each.

import { dateExists } from '../days.ts';
import { fail, getUint, type Err } from './bytes.ts';
import { Length, PROTOCOL_VERSION, StatusCode, StatusTarget } from './uuids.ts';

/** A refused write. Control's carry the opcode they answer: 0 when the frame is too short to name one. */
export type WriteError = Err & { opcode?: number };

// Only used inside the messages, which the firmware build empties: it then drops this too.
const NAMES = ['', 'Control', 'Current Time', 'Local Time Information', 'WeChat target'];
const NOT_BYTES = ': expected bytes (Uint8Array or ArrayBuffer)';

/**
 * Why the watch refuses a write of `b` (asBytes of what arrived) to the characteristic that
 * `target` (StatusTarget) names, or undefined when it can act on it. For Control: the version,
 * then the opcode, then the length that opcode takes. For the others: the length, then the
 * values. A Current Time must be a real moment (the watch must never set its clock to a date
 * that does not exist); its weekday is range-checked only, since the watch derives its own.
 */
export function checkWrite(target: number, b: Uint8Array | undefined): WriteError | undefined {
  if (target === StatusTarget.CONTROL) {
    const op = b && b.length > 1 ? b[1] : 0;
    // The frame length of each opcode, indexed by opcode: 0 or undefined for no such opcode.
    const length = [0, 6, 6, 2 + Length.KEY, 2, 6][op];
    let e: WriteError | undefined;
    if (b === undefined || b.length < 2) e = fail(StatusCode.BAD_LENGTH, 'Control' + (b ? ': expected at least 2 bytes, got ' + b.length : NOT_BYTES));
    else if (b[0] !== PROTOCOL_VERSION) e = fail(StatusCode.BAD_VERSION, 'Control: version ' + b[0] + ' is not supported (expected ' + PROTOCOL_VERSION + ')');
    else if (!length) e = fail(StatusCode.UNKNOWN_OPCODE, 'Control: unknown opcode ' + op);
    else if (b.length !== length) e = fail(StatusCode.BAD_LENGTH, 'Control: opcode ' + op + ' takes ' + length + ' bytes, got ' + b.length);
    if (e) e.opcode = op;
    return e;
  }
  const length = [0, 0, Length.CURRENT_TIME, Length.LOCAL_TIME_INFO, 4][target];
  if (b === undefined || b.length !== length)
    return fail(StatusCode.BAD_LENGTH, NAMES[target] + (b ? ': expected ' + length + ' bytes, got ' + b.length : NOT_BYTES));
  if (target === StatusTarget.CURRENT_TIME) {
    const year = getUint(b, 0, 2);
    // A window, not the specification's 1582..9999: a clock outside it is a mistake, never the
    // time. 2020 is before any watch ran this firmware (a clock reset to 1970 or 2000 is refused);
    // 2099 keeps every day number far inside the wire's u16 (which ends in 2149) and the services'
    // dates inside four digits.
    if (year < 2020 || year > 2099) return fail(StatusCode.BAD_VALUE, 'Current Time: year ' + year + ' is outside 2020..2099');
    if (!dateExists(year, b[2], b[3])) return fail(StatusCode.BAD_VALUE, 'Current Time: no such date ' + year + '-' + b[2] + '-' + b[3]);
    if (b[4] > 23 || b[5] > 59 || b[6] > 59) return fail(StatusCode.BAD_VALUE, 'Current Time: no such time ' + b[4] + ':' + b[5] + ':' + b[6]);
    if (b[7] > 7) return fail(StatusCode.BAD_VALUE, 'Current Time: day of week ' + b[7] + ' is outside 0..7');
  } else if (target === StatusTarget.LOCAL_TIME_INFO) {
    const zone = (b[0] << 24) >> 24; // the byte as a signed number
    // -128 is the specification's "unknown": refused, because the watch cannot act on it.
    if (zone < -48 || zone > 56) return fail(StatusCode.BAD_VALUE, 'Local Time Information: time zone ' + zone + ' is outside -48..56');
    if ([0, 2, 4, 8, 255].indexOf(b[1]) < 0)
      return fail(StatusCode.BAD_VALUE, 'Local Time Information: DST offset ' + b[1] + ' is not 0, 2, 4, 8 or 255');
    // The offset the watch then keeps (zone + DST, 255 "unknown" read as 0) is what every day
    // record carries, and the day record allows -12 h..+14 h: +14 h with +2 h DST would make a
    // day that no bridge can store.
    if (zone + (b[1] % 255) > 56)
      return fail(StatusCode.BAD_VALUE, 'Local Time Information: time zone ' + zone + ' with DST ' + b[1] + ' is past +14 h');
  } else if (b[0] !== 0x01) return fail(StatusCode.BAD_VALUE, 'WeChat target: flags 0x' + b[0].toString(16) + ' (expected 0x01)');
  return undefined;
}
