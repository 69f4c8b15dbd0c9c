// Which of two versions of one device-day the reward service keeps. recordVersion is the
// bridge's number and is not signed: anyone holding the webhook secret can send any value, so it
// may only order records that carry no signature either. The device's own order is the summary
// counter (it signs days as they close, one counter each, never going back), so a stored signed
// day yields only to a signed summary at least as new by that counter, and always wins over an
// unsigned record. An unsigned record can therefore never make a signed one stale, nor replace it.

/** What decides the order of a day's versions: the signed counter (null when unsigned) and the recordVersion. */
export interface DayVersion {
  counter: number | null;
  recordVersion: number;
}

/**
 * - `replace`: store the incoming version (for a signed one, after the counter-order check).
 * - `stale`: an equal or newer version is stored; answer 200 without storing.
 * - `older_signature`: signed earlier than the stored summary yet claiming a newer recordVersion:
 *   a replay or a swap, refused like any summary out of the device's order (409).
 */
export type Precedence = 'replace' | 'stale' | 'older_signature';

export function precedence(stored: DayVersion | undefined, incoming: DayVersion): Precedence {
  if (stored === undefined) return 'replace';
  if (stored.counter === null) {
    // Nothing signed is stored: a signed version always wins, unsigned ones by recordVersion.
    if (incoming.counter !== null) return 'replace';
    return incoming.recordVersion > stored.recordVersion ? 'replace' : 'stale';
  }
  if (incoming.counter === null) return 'stale';
  if (incoming.counter > stored.counter) return 'replace';
  // The same counter is the same signed summary (a watch never signs twice with one counter), so
  // only unsigned details can differ: recordVersion orders those re-deliveries.
  if (incoming.counter === stored.counter) return incoming.recordVersion > stored.recordVersion ? 'replace' : 'stale';
  // An older summary: a late delivery of a version already overtaken is harmless (200, nothing
  // stored, so the bridge stops retrying); one that claims to be newer is a replay.
  return incoming.recordVersion > stored.recordVersion ? 'older_signature' : 'stale';
}
