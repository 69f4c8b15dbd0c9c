// What the demo asks the services over HTTP, as any client would: the admin API to register
// users, devices and friendships, then the ledger and the leaderboard for the summary.
import type { DemoDevice } from './roster.ts';
import { DEMO_BRIDGE } from './services-host.ts';
import { rankOf, type DemoDay } from './summary.ts';

export interface Award {
  user: string;
  date: string;
  steps: number;
  amountFen: number;
}

export class ServicesClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    if (method === 'POST' && body === undefined) body = {};
    const res = await fetch(this.base + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }

  /** Idempotent: users and friendships are upserts, and a device re-registered with its key and bridge is unchanged. */
  async register(users: readonly string[], devices: readonly DemoDevice[], keyOf: (d: DemoDevice) => string, friends: Array<[string, string]>, utcOffsetMin: number): Promise<void> {
    for (const id of users) await this.call('POST', '/admin/v1/users', { id, name: id[0].toUpperCase() + id.slice(1), utcOffsetMin });
    for (const d of devices) await this.call('POST', '/admin/v1/devices', { id: d.id, user: d.user, bridge: DEMO_BRIDGE, key: keyOf(d) });
    for (const [a, b] of friends) await this.call('POST', '/admin/v1/friendships', { a, b });
  }

  /** A login link for the user's dashboard (reads need a credential). */
  async loginUrl(user: string): Promise<string> {
    const r = await this.call<{ loginPath: string }>('POST', `/admin/v1/users/${encodeURIComponent(user)}/tokens`);
    return this.base + r.loginPath;
  }

  async awards(user: string): Promise<Award[]> {
    const r = await this.call<{ awards: Array<{ date: string; steps: number; amountFen: number }> }>('GET', `/reward/v1/users/${encodeURIComponent(user)}/awards`);
    return r.awards.map((a) => ({ user, date: a.date, steps: a.steps, amountFen: a.amountFen }));
  }

  async allAwards(users: readonly string[]): Promise<Award[]> {
    const all: Award[] = [];
    for (const u of users) all.push(...(await this.awards(u)));
    return all;
  }

  async ranking(user: string, date: string): Promise<Array<{ rank: number; user: string; steps: number; self: boolean }>> {
    const r = await this.call<{ ranking: Array<{ rank: number; user: string; steps: number; self: boolean }> }>(
      'GET', `/social/v1/users/${encodeURIComponent(user)}/leaderboard?date=${date}`,
    );
    return r.ranking;
  }

  /** One entry per user-day: steps and rank from the leaderboard, hongbao from the ledger. */
  async summary(users: readonly string[], dates: readonly string[]): Promise<DemoDay[]> {
    const awards = await this.allAwards(users);
    const days: DemoDay[] = [];
    for (const user of users) {
      for (const date of dates) {
        const ranking = await this.ranking(user, date);
        const me = ranking.find((r) => r.self);
        if (me === undefined) throw new Error(`leaderboard of ${user} on ${date} does not list ${user}`);
        const award = awards.find((a) => a.user === user && a.date === date);
        // The service ranks too; recomputing from the steps it lists guards the summary's invariant.
        const rank = rankOf(me.steps, ranking.map((r) => r.steps));
        if (rank !== me.rank) throw new Error(`leaderboard of ${user} on ${date}: rank ${me.rank} does not match the steps listed`);
        days.push({ user, date, steps: me.steps, rank: me.rank, hongbao: award !== undefined, amount: award === undefined ? 0 : award.amountFen / 100 });
      }
    }
    return days;
  }
}
