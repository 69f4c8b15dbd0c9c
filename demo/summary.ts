// The demo's result: one entry per user-day, as the services recorded it. This module only
// shapes and prints; the numbers come from the services (see services-client.ts).

export interface DemoDay {
  user: string;
  date: string; // YYYY-MM-DD
  steps: number; // the leaderboard's steps: the max over the user's devices
  rank: number; // 1 = most steps among the user and their friends that day
  hongbao: boolean; // the reward ledger holds an award for this user-day
  amount: number; // the award in yuan (0 without one)
}

export interface DemoSummary {
  days: DemoDay[];
}

export function sortDays(days: DemoDay[]): DemoDay[] {
  return [...days].sort((a, b) => (a.user === b.user ? a.date.localeCompare(b.date) : a.user.localeCompare(b.user)));
}

/** Competition ranking ("1224"): equal steps share a rank, the next rank skips. */
export function rankOf(steps: number, all: number[]): number {
  return 1 + all.filter((s) => s > steps).length;
}

export function toJson(summary: DemoSummary): string {
  return JSON.stringify({ days: sortDays(summary.days) });
}

/** A date × user table: steps, rank and hongbao per cell. */
export function table(summary: DemoSummary, goal: number): string {
  const users = [...new Set(summary.days.map((d) => d.user))].sort();
  const dates = [...new Set(summary.days.map((d) => d.date))].sort();
  const cell = (d: DemoDay | undefined) => (d === undefined ? '-' : `${d.steps.toLocaleString('en-US')} #${d.rank}${d.hongbao ? ' ¥' + d.amount.toFixed(2) : ''}`);
  const rows = [['date', ...users]];
  for (const date of dates) rows.push([date, ...users.map((u) => cell(summary.days.find((d) => d.user === u && d.date === date)))]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  lines.push(`(steps #rank among friends; ¥ = hongbao for reaching ${goal.toLocaleString('en-US')} steps)`);
  return lines.join('\n');
}
