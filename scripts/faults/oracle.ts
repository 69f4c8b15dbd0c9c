// The oracle: what the watches recorded (their truth logs) against what the services hold (the
// reward ledger: awards and payouts; the leaderboard: social days), per user-day and device-day.
//  - lost: a day the watch closed, signed, at or above the goal, with no award for its user-day;
//    or a recorded day missing from the leaderboard or with other steps;
//  - duplicated: more than one award per user-day, or more than one payout per award;
//  - wrongly awarded: an award for a user-day none of the user's watches recorded at or above the
//    goal (signed), or for steps the watch never recorded;
//  - wrongly refused: a genuine day the services or the bridge refused (flagged at the reward
//    service, or dead-lettered or quarantined by the bridge) instead of awarding it;
//  - misdated: a day the watch closed on a clock the bridge had set more than 5 minutes wrong.
// Days the product cannot deliver by design are excluded, each with its reason (printed):
//  - a wipe erased the watch's history before the bridge acknowledged the day;
//  - the bridge's database was deleted while the day was undelivered (the watch had already
//    forgotten it once acknowledged), and it never reached the services;
//  - a watch whose clock another central set wrong closed the day (its date is that central's
//    error; the grace period and the day-record checks decide).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { localDate, localDayEndMs, localDayStartMs } from '../../shared/days.ts';
import { GOAL_STEPS } from '../../shared/rewards.ts';
import type { Plan } from './plan.ts';
import type { TruthDay, TruthLine } from './types.ts';

const HOUR = 3_600_000;
/** A watch clock further off than this (the services' webhook tolerance too) files steps under the wrong hours. */
const CLOCK_TOLERANCE_MS = 5 * 60_000;

export interface Ledger {
  awards: Array<{ user_id: string; date: string; device_id: string; steps: number }>;
  payouts: Array<{ award_id: number }>;
  rewardDays: Array<{ device_id: string; date: string; steps: number; status: string }>;
  socialDays: Array<{ device_id: string; date: string; steps: number; status: string }>;
}

export interface Deleted {
  at: number;
  undelivered: Array<{ service: string; device: string; date: string }>;
}

export interface Verdict {
  lost: number;
  duplicated: number;
  wronglyAwarded: number;
  wronglyRefused: number;
  /** Watch days closed on a clock the bridge set wrong (its steps filed under the wrong date or hours). */
  misdated: number;
  /** User-days judged, and awards seen. */
  userDays: number;
  awards: number;
  excluded: string[];
  problems: string[];
}

export function judge(o: { plan: Plan; dir: string; ledger: Ledger; deleted: Deleted[]; bridgeDb: string }): Verdict {
  const v: Verdict = { lost: 0, duplicated: 0, wronglyAwarded: 0, wronglyRefused: 0, misdated: 0, userDays: 0, awards: o.ledger.awards.length, excluded: [], problems: [] };
  const window = o.plan.planEnd + 8 * HOUR; // days closed after this may still be on their way
  const bridge = existsSync(o.bridgeDb) ? new Database(o.bridgeDb, { readonly: true }) : undefined;
  const deadRows = (bridge?.prepare("SELECT service, device, date, dead_reason FROM outbox WHERE state = 'dead'").all() as Array<{ service: string; device: string; date: string; dead_reason: string | null }> | undefined) ?? [];
  const dead = new Set(deadRows.map((r) => `${r.device}/${r.date}`));
  const deadReason = (k: string) => deadRows.filter((r) => `${r.device}/${r.date}` === k).map((r) => `${r.service}: ${r.dead_reason ?? '?'}`).join('; ');
  const quarantined = new Set((bridge?.prepare('SELECT device, date FROM quarantine').all() as Array<{ device: string; date: string }> | undefined ?? []).map((r) => `${r.device}/${r.date}`));
  const pending = (bridge?.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'").get() as { n: number } | undefined)?.n ?? 0;
  bridge?.close();
  if (pending > 0) v.problems.push(`${pending} outbox rows still pending after the tail`);

  const social = new Map(o.ledger.socialDays.map((r) => [`${r.device_id}/${r.date}`, r]));
  const reward = new Map(o.ledger.rewardDays.map((r) => [`${r.device_id}/${r.date}`, r]));
  const awards = new Map<string, Ledger['awards']>();
  for (const a of o.ledger.awards) awards.set(`${a.user_id}/${a.date}`, [...(awards.get(`${a.user_id}/${a.date}`) ?? []), a]);
  const payouts = new Map<number, number>();
  for (const p of o.ledger.payouts) payouts.set(Number(p.award_id), (payouts.get(Number(p.award_id)) ?? 0) + 1);
  for (const [k, list] of awards) if (list.length > 1) (v.duplicated += list.length - 1), v.problems.push(`${k}: ${list.length} awards`);
  for (const [id, n] of payouts) if (n > 1) (v.duplicated += n - 1), v.problems.push(`award ${id}: ${n} payouts`);
  const undeliveredAtDelete = new Set(o.deleted.flatMap((d) => d.undelivered.map((u) => `${u.device}/${u.date}`)));

  // Per device: every closed day it wrote, in order; and the days its wipes erased unacknowledged.
  const recorded = new Map<string, TruthDay[]>(); // device/date -> versions, oldest first
  const wiped = new Set<string>(); // device/date/seq
  const wipeTimes = new Map<string, number[]>(); // device -> world times of its wipes
  for (const w of o.plan.watches) {
    const file = join(o.dir, `truth-${w.id}.jsonl`);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line === '') continue;
      const t = JSON.parse(line) as TruthLine;
      if (t.kind === 'wipe') {
        for (const u of t.unacked) wiped.add(`${w.id}/${u.date}/${u.seq}`);
        wipeTimes.set(w.id, [...(wipeTimes.get(w.id) ?? []), t.at]);
      }
      else recorded.set(`${w.id}/${t.date}`, [...(recorded.get(`${w.id}/${t.date}`) ?? []), t]);
    }
  }

  const userDays = new Map<string, { expected: boolean; justified: boolean; refused: string[]; days: string[] }>();
  for (const w of o.plan.watches) {
    for (const [k, versions] of recorded) {
      if (!k.startsWith(w.id + '/')) continue;
      const date = k.slice(w.id.length + 1);
      const latest = versions[versions.length - 1];
      const ud = userDays.get(`${w.user}/${date}`) ?? { expected: false, justified: false, refused: [], days: [] };
      userDays.set(`${w.user}/${date}`, ud);
      if (versions.some((t) => t.signed && t.steps >= GOAL_STEPS)) ud.justified = true;
      if (latest.at > window) continue;
      const clockWrong = Math.abs(latest.clockOffMs) > CLOCK_TOLERANCE_MS || latest.at > localDayEndMs(date, latest.offsetMin) + 24 * HOUR || latest.at < localDayStartMs(date, latest.offsetMin);
      if (clockWrong && latest.clockSetBy === 'bridge') {
        // The bridge set this watch's clock wrong: the day's steps are filed under the wrong hours or date.
        v.misdated++;
        v.problems.push(`${k}: closed on a clock the bridge set ${Math.round(latest.clockOffMs / 60_000)} min off (${history(versions)})`);
        continue;
      }
      const why =
        wiped.has(`${k}/${latest.seq}`) ? 'wiped before the bridge acknowledged it'
        : clockWrong ? `closed on a clock another central set ${Math.round(latest.clockOffMs / 60_000)} min off`
        : !social.has(k) && undeliveredAtDelete.has(k) ? 'undelivered when the bridge database was deleted'
        : undefined;
      if (why !== undefined) {
        v.excluded.push(`${k} (${latest.steps} steps): ${why}`);
        continue;
      }
      // The leaderboard shows the watch's latest count of the day; on the day a watch was wiped,
      // the higher of its two histories' counts (docs/day-record.md, "A watch wiped during a day"):
      // the old history's may be a provisional total of the open day, which the truth log (closed
      // days only) does not hold, so there it must be at least the latest.
      const s = social.get(k);
      const wipeDay = (wipeTimes.get(w.id) ?? []).some((at) => localDate(at, latest.offsetMin) === date);
      const shown = s === undefined ? undefined : Number(s.steps);
      if (shown === undefined || (wipeDay ? shown < latest.steps : shown !== latest.steps)) {
        if (dead.has(k) || quarantined.has(k)) {
          v.wronglyRefused++;
          v.problems.push(`${k}: leaderboard refused ${latest.steps} steps (${dead.has(k) ? `dead letter: ${deadReason(k)}` : 'quarantined'})`);
        } else {
          v.lost++;
          v.problems.push(`${k}: leaderboard has ${s?.steps ?? 'nothing'}, the watch recorded ${history(versions)}`);
        }
      }
      if (latest.signed && latest.steps >= GOAL_STEPS) {
        ud.expected = true;
        ud.days.push(`${w.id} recorded ${history(versions)}; reward has ${reward.get(k) ? `${reward.get(k)!.steps} ${reward.get(k)!.status}` : 'nothing'}`);
        const r = reward.get(k);
        if (r?.status === 'flagged') ud.refused.push(`${k} flagged`);
        if (dead.has(k)) ud.refused.push(`${k} dead letter: ${deadReason(k)}`);
        if (quarantined.has(k)) ud.refused.push(`${k} quarantined`);
      }
    }
  }
  for (const [k, ud] of userDays) {
    const got = awards.get(k) ?? [];
    if (ud.expected) v.userDays++;
    if (ud.expected && got.length === 0) {
      if (ud.refused.length > 0) {
        v.wronglyRefused++;
        v.problems.push(`${k}: refused (${ud.refused.join(', ')})`);
      } else {
        v.lost++;
        v.problems.push(`${k}: no award for a signed day at or above ${GOAL_STEPS} (${ud.days.join('; ')})`);
      }
    }
    if (got.length > 0 && !ud.justified) {
      v.wronglyAwarded++;
      v.problems.push(`${k}: awarded ${got[0].steps} steps, no watch of the user recorded ${GOAL_STEPS}+ signed`);
    }
  }
  for (const a of o.ledger.awards) {
    const versions = recorded.get(`${a.device_id}/${a.date}`) ?? [];
    if (!versions.some((t) => t.steps === Number(a.steps))) {
      v.wronglyAwarded++;
      v.problems.push(`${a.user_id}/${a.date}: award for ${a.steps} steps of ${a.device_id}, which recorded ${versions.map((t) => t.steps).join(', ') || 'nothing'}`);
    }
  }
  return v;
}

/** A day's versions as the watch wrote them: steps, signed or not, epoch/seq and world time. */
function history(versions: TruthDay[]): string {
  return versions.map((t) => `${t.steps}${t.signed ? '' : ' unsigned'} (${t.epoch % 1000}/${t.seq} at ${new Date(t.at).toISOString().slice(5, 16)})`).join(' then ');
}
