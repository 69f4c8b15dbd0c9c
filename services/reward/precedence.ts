// Which of two versions of one device-day the reward service keeps. recordVersion is the
// bridge's number and is not signed: anyone holding the webhook secret can send any value, so it
// may only order records that carry no signature either. The device's own order is the summary
// counter (it signs days as they close, one counter each, never going back), so a stored signed
// day yields only to a signed summary at least as new by that counter, and always wins over an
// unsigned record. An unsigned record can therefore never make a signed one stale, nor replace it.

/**
 * What decides the order of a day's versions: the signed counter (null when unsigned), the signing
 * sequence it counts in, whether the day was closed, its steps, and the recordVersion.
 */
export interface DayVersion {
  counter: number | null;
  recordVersion: number;
  /** Closed (signed, for a signed version). */
  closed: boolean;
  steps: number;
  /** The watch history epoch the counter counts in (summary version 3), null when not signed. */
  epoch: number | null;
  /** The key the summary verified under (trust.ts keyId); null for a stored day from before key ids. */
  keyId: string | null;
}

/**
 * Two signed versions are of one signing sequence when they verified under the same key (a stored
 * day from before key ids is taken as the current key's) and sign the same epoch (or none).
 * Counters are comparable only within one sequence: a wiped watch starts its counter again under
 * a new epoch, a re-keyed one under a new key.
 */
export function sameSequence(stored: DayVersion, incoming: DayVersion): boolean {
  return (stored.keyId === null || stored.keyId === incoming.keyId) && stored.epoch === incoming.epoch;
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
  // Two histories of one watch (wiped on this date), or two keys: each counted its own steps of
  // the day, and their counters say nothing about each other. The version with more signed steps
  // is kept (on a tie a closed one over an open one), so the day never drops to the steps counted
  // after a wipe; neither is a replay. docs/day-record.md, "A watch wiped during a day".
  if (!sameSequence(stored, incoming)) return incoming.steps > stored.steps || (incoming.steps === stored.steps && incoming.closed && !stored.closed) ? 'replace' : 'stale';
  if (incoming.counter > stored.counter) return 'replace';
  if (incoming.counter === stored.counter) {
    // The open day is signed with the counter it will close with, so one counter covers its
    // provisional totals and its closed record: the closed one wins, and among provisional ones
    // the one with more steps (a day's steps only grow), so a replayed earlier total is stale.
    if (incoming.closed !== stored.closed) return incoming.closed ? 'replace' : 'stale';
    if (!incoming.closed && incoming.steps !== stored.steps) return incoming.steps > stored.steps ? 'replace' : 'stale';
    // Otherwise the same signed summary (a watch never closes a day twice with one counter), so
    // only unsigned details can differ: recordVersion orders those re-deliveries.
    return incoming.recordVersion > stored.recordVersion ? 'replace' : 'stale';
  }
  // An older summary: a late delivery of a version already overtaken is harmless (200, nothing
  // stored, so the bridge stops retrying); one that claims to be newer is a replay.
  return incoming.recordVersion > stored.recordVersion ? 'older_signature' : 'stale';
}
