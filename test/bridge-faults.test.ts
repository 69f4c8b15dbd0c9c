// Fault trials of real processes (scripts/faults/): the built firmware in simulated watches, the
// bridge in a child process killed with SIGKILL at random points (and reinstalled), `bushu serve`
// in its own process behind an outage proxy, all on one simulated clock. The full run is
// `npm run bench:faults`; three one-day trials here (one on PostgreSQL) keep the suite quick.
import { afterEach, describe, expect, it } from 'vitest';
import { runTrial, type TrialResult } from '../scripts/faults/trial.ts';
import { startRecorder, type Recorder } from './kits/http-recorder.ts';
import { postgresSkipReason, TEST_PG_URL } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();

/** Some goal days were judged, and none went wrong. */
function expectClean(r: TrialResult): void {
  expect(r.userDays).toBeGreaterThan(0);
  expect({ lost: r.lost, duplicated: r.duplicated, wronglyAwarded: r.wronglyAwarded, wronglyRefused: r.wronglyRefused, misdated: r.misdated, problems: r.problems }).toEqual({
    lost: 0, duplicated: 0, wronglyAwarded: 0, wronglyRefused: 0, misdated: 0, problems: [],
  });
}

describe('fault trials', () => {
  it.each([3, 4])('seed %i: no user-day lost, duplicated, wrongly awarded or refused', async (seed) => {
    // Kills within 40 output lines of each other land early in the day, however loaded the machine.
    const r = await runTrial(seed, { days: 1, bridgeKills: 2, killWithinLines: 40 });
    expect(r.error).toBeUndefined();
    expect(r.bridgeKills).toBe(2);
    expectClean(r);
  }, 120_000);
});

describe.skipIf(pgSkip !== null)(`a fault trial with the services on PostgreSQL${pgSkip ? ` (skipped: ${pgSkip})` : ''}`, () => {
  it('seed 5: no user-day lost, duplicated, wrongly awarded or refused', async () => {
    const r = await runTrial(5, { days: 1, bridgeKills: 1, killWithinLines: 40, databaseUrl: TEST_PG_URL });
    expect(r.error).toBeUndefined();
    expect(r.bridgeKills).toBe(1);
    expectClean(r);
  }, 120_000);
});

describe('the recorder as an idempotent service', () => {
  let rec: Recorder;
  afterEach(() => rec.close());

  const post = (key: string, body: string) =>
    fetch(`${rec.url}/v1/days`, { method: 'POST', headers: { 'idempotency-key': key }, body }).then(async (r) => [r.status, await r.text()]);

  it('answers a repeated key with the first answer and flags a key reused with another body', async () => {
    let n = 0;
    rec = await startRecorder({ respond: () => ({ status: 201, body: `first ${++n}` }) });
    expect(await post('k1', 'a')).toEqual([201, 'first 1']);
    expect(await post('k1', 'a')).toEqual([201, 'first 1']);
    expect(await post('k1', 'b')).toEqual([422, 'idempotency key reused with a different body']);
    expect(rec.accepted.get('k1')!.count).toBe(1);
    expect(rec.stats).toEqual({ replays: 1, conflicts: 1, inFlight409: 0 });
  });

  it('answers 409 while the same key is still in flight', async () => {
    rec = await startRecorder();
    rec.inject({ kind: 'hang' });
    const abort = new AbortController();
    const hung = fetch(`${rec.url}/v1/days`, { method: 'POST', headers: { 'idempotency-key': 'k' }, body: 'x', signal: abort.signal }).catch(() => 'aborted');
    await rec.nextRequest();
    expect(await post('k', 'x')).toEqual([409, 'a request with this idempotency key is in flight']);
    abort.abort();
    expect(await hung).toBe('aborted');
  });

  it('counts every 2xx when dedupe is off', async () => {
    rec = await startRecorder({ dedupe: false });
    await post('k', 'x');
    await post('k', 'x');
    expect(rec.accepted.get('k')!.count).toBe(2);
  });
});
