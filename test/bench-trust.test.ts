// The trust benchmark's command line and its shaker side (the walking side needs the shared
// recordings, which tests may not read: a missing directory must still give a shaker measurement).
import { describe, expect, it } from 'vitest';
import { trustCli } from '../scripts/trust/bench.ts';
import type { TrustReport } from '../scripts/trust/report.ts';

function capture() {
  let text = '';
  return { write: (s: string) => (text += s), get text() { return text; } };
}

describe('bench:trust', () => {
  it('without recordings says where they come from, measures shaker days and exits 0', async () => {
    const out = capture();
    const err = capture();
    const code = await trustCli(['--days', '80', '--seed', '3', '--json', '--data', '/nonexistent/steps'], '/nonexistent/default', out, err);
    expect(code).toBe(0);
    expect(err.text.trim().split('\n')).toHaveLength(1);
    expect(err.text).toContain('no recordings at /nonexistent/steps');
    const report = JSON.parse(out.text) as TrustReport;
    expect(report.walking).toBeNull();
    expect(report.shaker.days).toBe(80);
    // a fixed-rate shaker is the plainest cheat: every one must be caught
    expect(report.shaker.variants['fixed rate']).toMatchObject({ days: 10, caught: 10 });
  });

  it('gives the same figures for the same seed', async () => {
    const run = async () => {
      const out = capture();
      await trustCli(['--days', '40', '--seed', '9', '--data', '/nonexistent/steps'], '', out, capture());
      return out.text;
    };
    expect(await run()).toBe(await run());
  });

  it('rejects bad arguments with one line and exit 2', async () => {
    for (const args of [['--days', '0'], ['--days', 'many'], ['--seed', '-1'], ['--frobnicate']]) {
      const err = capture();
      expect(await trustCli(args, '/nonexistent', capture(), err)).toBe(2);
      expect(err.text).toMatch(/^bench-trust: .*\nusage: /);
    }
  });
});
