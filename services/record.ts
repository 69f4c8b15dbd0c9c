// The day record the bridge POSTs (docs/day-record.md), checked by the contract both sides share
// (shared/record). The body is already a JSON object (else a 400); a field that does not fit is
// a 422 invalid_record naming it, so a client sees which field to fix.
import { normalizedRecord, recordProblems, type DayRecord } from '../shared/record/index.ts';
import { HttpError } from './http/router.ts';

export function parseDayRecord(o: Record<string, unknown>): DayRecord {
  const [problem] = recordProblems(o);
  if (problem !== undefined) throw new HttpError(422, 'invalid_record', `${problem.field}: ${problem.rule}`, { field: problem.field });
  return normalizedRecord(o);
}
