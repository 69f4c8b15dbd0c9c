// What both services do with a day record that passed the contract (services/record.ts), before
// their own rules: the shape of an ingest step, the plausibility rejection and the user check.
import type { DayRecord } from '../shared/record/index.ts';
import type { ServicesConfig } from './config.ts';
import type { Db, Queryable } from './db/types.ts';
import { HttpError, type Response } from './http/router.ts';
import { checkPlausibility, type Finding } from './plausibility.ts';

/** One service's handling of a record: `finish` stores the response under the idempotency key, in the same transaction. */
export type Ingest = (db: Db, config: ServicesConfig, record: DayRecord, nowMs: number, finish: (q: Queryable, r: Response) => Promise<void>) => Promise<Response>;

/** The plausibility findings (flags) of a record; any "reject" finding is a 422 and nothing is stored. */
export function plausibleOrThrow(record: DayRecord, config: ServicesConfig): Finding[] {
  const findings = checkPlausibility(record, config.plausibility);
  const rejects = findings.filter((f) => f.severity === 'reject');
  if (rejects.length > 0) throw new HttpError(422, 'implausible', rejects.map((f) => f.detail).join('; '), { reasons: rejects });
  return findings;
}

/** 422 unknown_user unless the record's user is registered. */
export async function requireUser(db: Db, user: string): Promise<void> {
  const [row] = await db.all('SELECT id FROM users WHERE id = $1', [user]);
  if (row === undefined) throw new HttpError(422, 'unknown_user', `user ${user} is not registered`);
}
