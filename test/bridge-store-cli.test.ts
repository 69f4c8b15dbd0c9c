// The store commands (status, export, outbox) on temporary databases.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runExport } from '../cli/export.ts';
import { runOutbox } from '../cli/outbox.ts';
import { runStatus } from '../cli/status.ts';
import { buildProgram } from '../cli/main.ts';
import { Store } from '../bridge/store/store.ts';
import { DEV_A, DEV_B, dayInput } from './kits/days.ts';

function sink() {
  return { text: '', write(t: string) { this.text += t; } };
}

let dir = '';
let db = '';
// An empty config of the test's own, so no bushu.config.json of the checkout is read.
const base = () => ({ db, config: join(dir, 'bushu.config.json') });
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bushu-cli-store-'));
  db = join(dir, 'bushu.db');
  writeFileSync(join(dir, 'bushu.config.json'), '{}');
  const store = Store.open(db, { services: ['walkcoin'] });
  store.commitSync(DEV_A, [dayInput({ steps: 4000 }), dayInput({ date: '2026-11-21', steps: 70 })], 9, Date.UTC(2026, 10, 21));
  store.commitSync(DEV_B, [dayInput({ device: DEV_B, steps: 5000, source: 'wechat', firmware: null })], 2, Date.UTC(2026, 10, 21, 1));
  const [first, second] = store.outbox();
  store.beginAttempt(first.id, Date.UTC(2026, 10, 21, 2));
  store.deadLetter(first.id, 'HTTP 400: bad', { at: Date.UTC(2026, 10, 21, 2), status: 400, retryAt: null });
  store.beginAttempt(second.id, Date.UTC(2026, 10, 21, 3));
  store.markRetry(second.id, Date.UTC(2026, 10, 21, 4), 'ECONNREFUSED', { at: Date.UTC(2026, 10, 21, 3), status: null });
  store.close();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('bushu status', () => {
  it('prints devices, their last sync and cursor, and the outbox counts', async () => {
    const out = sink();
    expect(await runStatus(base(), out, sink())).toBe(0);
    expect(out.text).toContain(`${DEV_A}  -     bushu   0.2.0     2026-11-21T00:00:00.000Z  9       2`);
    expect(out.text).toContain('days: 3\noutbox: 2 pending, 1 dead, 0 delivered, 0 superseded, 0 dropped\n');
  });

  it('lists quarantined history records with their reason (text and --json)', async () => {
    const store = Store.open(db);
    const raw = '0101' + '02000000'.padEnd(130, '0');
    store.commitSync(DEV_A, [], 12, Date.UTC(2026, 10, 22), [{ seq: 11, date: '2026-11-21', raw, reason: 'utcOffsetMin: must be an integer in -720..840' }]);
    store.close();
    const out = sink();
    expect(await runStatus(base(), out, sink())).toBe(0);
    const lines = out.text.slice(out.text.indexOf('quarantined:')).trim().split('\n');
    expect(lines[0]).toBe('quarantined: 1 history records kept aside, not stored as days (--json has their bytes)');
    expect(lines[2]).toMatch(new RegExp(`^${DEV_A} +11 +2026-11-21 +2026-11-22T00:00:00.000Z +utcOffsetMin: must be an integer in -720..840$`));
    const json = sink();
    await runStatus({ ...base(), json: true }, json, sink());
    expect(JSON.parse(json.text).quarantined).toEqual([
      { id: 1, device: DEV_A, epoch: null, seq: 11, date: '2026-11-21', raw, reason: 'utcOffsetMin: must be an integer in -720..840', quarantinedAt: Date.UTC(2026, 10, 22) },
    ]);
  });

  it('shows what is stuck and why: last answer, attempts, next attempt', async () => {
    const out = sink();
    await runStatus(base(), out, sink());
    const after = out.text.slice(out.text.indexOf('stuck:')).trim().split('\n');
    expect(after[0]).toBe('stuck: 2 (1 still retried, 1 waiting for `bushu outbox retry`)');
    expect(after[2]).toMatch(new RegExp(`^1 +walkcoin +${DEV_A} +2026-11-20 +dead +1 +HTTP 400 +- +HTTP 400: bad$`));
    expect(after[3]).toMatch(new RegExp(`^2 +walkcoin +${DEV_A} +2026-11-21 +pending +1 +no answer +2026-11-21T04:00:00.000Z +ECONNREFUSED$`));
    const json = sink();
    await runStatus({ ...base(), json: true }, json, sink());
    expect(JSON.parse(json.text).stuck).toMatchObject([
      { id: 1, attempts: 1, lastAnswer: 'HTTP 400', nextAttemptAt: null, reason: 'HTTP 400: bad' },
      { id: 2, attempts: 1, lastAnswer: 'no answer', failingSince: Date.UTC(2026, 10, 21, 3), nextAttemptAt: Date.UTC(2026, 10, 21, 4), reason: 'ECONNREFUSED' },
    ]);
  });

  it('--json gives the same facts for scripts', async () => {
    const out = sink();
    await runStatus({ ...base(), json: true }, out, sink());
    const r = JSON.parse(out.text);
    expect(r.devices.map((d: { id: string; cursor: number; days: number }) => [d.id, d.cursor, d.days])).toEqual([[DEV_A, 9, 2], [DEV_B, 2, 1]]);
    expect(r.outbox).toMatchObject({ pending: 2, dead: 1 });
  });

  it('refuses a database that does not exist instead of creating it', async () => {
    const err = sink();
    expect(await runStatus({ ...base(), db: join(dir, 'typo.db') }, sink(), err)).toBe(1);
    expect(err.text).toBe(`bushu: no database at ${join(dir, 'typo.db')} (sync a device first, or pass --db PATH)\n`);
  });
});

describe('bushu export', () => {
  it('writes CSV per device and day', async () => {
    const out = sink();
    expect(await runExport({ ...base(), format: 'csv', from: '2026-11-20', to: '2026-11-20' }, out, sink())).toBe(0);
    expect(out.text.split('\n')).toEqual([
      'device,user,date,utcOffsetMin,steps,closed,source,firmware,hours,notWornHours,syncedAt',
      `${DEV_A},,2026-11-20,480,4000,false,bushu,0.2.0,,,2026-11-21T00:00:00.000Z`,
      `${DEV_B},,2026-11-20,480,5000,false,wechat,,,,2026-11-21T01:00:00.000Z`,
      '',
    ]);
  });

  it('writes JSON, and per user applies the maximum rule', async () => {
    const out = sink();
    await runExport({ ...base(), format: 'json', user: DEV_A }, out, sink());
    expect(JSON.parse(out.text)).toEqual([
      { user: DEV_A, date: '2026-11-20', steps: 4000, device: DEV_A },
      { user: DEV_A, date: '2026-11-21', steps: 70, device: DEV_A },
    ]);
  });

  it('writes one row per hour (Health-app style), per user from the device the maximum rule picked', async () => {
    const hours = (at: Record<number, number>) => Array.from({ length: 24 }, (_, h) => at[h] ?? 0);
    const store = Store.open(db);
    store.commitSync(DEV_A, [dayInput({ date: '2026-11-22', steps: 900, hours: hours({ 8: 600, 17: 300 }) })], 10, Date.UTC(2026, 10, 23));
    store.commitSync(DEV_B, [dayInput({ device: DEV_B, date: '2026-11-22', steps: 500, hours: hours({ 9: 500 }) })], 3, Date.UTC(2026, 10, 23));
    store.close();
    writeFileSync(join(dir, 'bushu.config.json'), JSON.stringify({ users: { alice: { devices: [DEV_A, DEV_B] } } }));
    const out = sink();
    const err = sink();
    expect(await runExport({ ...base(), format: 'hourly', user: 'alice', from: '2026-11-22' }, out, err)).toBe(0);
    const lines = out.text.trim().split('\n');
    expect(lines[0]).toBe('device,user,date,time,steps');
    expect(lines).toHaveLength(25);
    expect(lines[1]).toBe(`${DEV_A},alice,2026-11-22,00:00,0`);
    expect(lines[9]).toBe(`${DEV_A},alice,2026-11-22,08:00,600`);
    expect(lines.slice(1).reduce((sum, l) => sum + Number(l.split(',')[4]), 0)).toBe(900);
    expect(err.text).toBe('');
    // without --user every device's hours; days with only a total are named, not silently dropped
    const all = sink();
    const allErr = sink();
    await runExport({ ...base(), format: 'hourly' }, all, allErr);
    expect(all.text.trim().split('\n')).toHaveLength(1 + 48);
    expect(allErr.text).toBe('bushu export: 3 day(s) have no hourly counts (their wearable reports only day totals) and are left out\n');
  });

  it.each([
    [{ format: 'xml' }, 'bushu: --format: must be csv, json or hourly, got "xml"\n'],
    [{ from: '2026-13-01' }, 'bushu: --from: no such date: 2026-13-01\n'],
    [{ to: '21/11/2026' }, 'bushu: --to: date must be YYYY-MM-DD, got "21/11/2026"\n'],
    [{ from: '2026-11-21', to: '2026-11-20' }, 'bushu: --from 2026-11-21 is after --to 2026-11-20\n'],
    [{ user: 'nobody' }, 'bushu: unknown user "nobody"\n'],
  ])('rejects %j', async (opts, message) => {
    const err = sink();
    expect(await runExport({ ...base(), ...opts }, sink(), err)).toBe(1);
    expect(err.text).toBe(message);
  });
});

describe('bushu outbox', () => {
  it('lists pending and dead rows with the reason', async () => {
    const out = sink();
    await runOutbox(undefined, undefined, base(), out, sink());
    const lines = out.text.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^id +state +key +attempts +last answer +last attempt +next attempt +reason \/ last error$/);
    expect(lines[1]).toMatch(new RegExp(`^1 +dead +bushu:walkcoin:${DEV_A}:2026-11-20:1:[0-9a-f]{16} +1 +HTTP 400 +2026-11-21T02:00:00.000Z +- +HTTP 400: bad$`));
    expect(lines[2]).toMatch(new RegExp(`^2 +pending +bushu:walkcoin:${DEV_A}:2026-11-21:1:[0-9a-f]{16} +1 +no answer +2026-11-21T03:00:00.000Z +2026-11-21T04:00:00.000Z +ECONNREFUSED$`));
    const json = sink();
    await runOutbox('list', undefined, { ...base(), json: true, state: 'dead' }, json, sink());
    expect(JSON.parse(json.text)).toMatchObject([{ id: 1, state: 'dead', deadReason: 'HTTP 400: bad' }]);
  });

  it('retries and drops rows', async () => {
    const out = sink();
    expect(await runOutbox('retry', 'all', base(), out, sink())).toBe(0);
    expect(out.text).toBe('1 dead delivery queued again\n');
    expect(await runOutbox('drop', '2', { ...base(), json: true }, out, sink())).toBe(0);
    const store = Store.open(db);
    expect(store.outbox().map((r) => r.state)).toEqual(['pending', 'dropped', 'pending']);
    store.close();
  });

  it.each([
    [['retry', undefined], 'bushu: outbox retry: expected a row id or "all", got nothing\n'],
    [['drop', 'all'], 'bushu: outbox drop: expected a row id, got "all"\n'],
    [['retry', '2'], 'bushu: no dead row 2 to retry (or a newer version of its day exists)\n'],
    [['purge', undefined], 'bushu: outbox: unknown action "purge" (list, retry, drop)\n'],
  ])('fails clearly for %j', async ([action, id], message) => {
    const err = sink();
    expect(await runOutbox(action, id, base(), sink(), err)).toBe(1);
    expect(err.text).toBe(message);
  });
});

describe('registered commands', () => {
  it('parse their options through commander and load their module when run', async () => {
    const program = buildProgram().exitOverride();
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((t) => (written.push(String(t)), true));
    try {
      const cfg = ['--db', db, '--config', base().config];
      await program.parseAsync(['node', 'bushu', 'export', ...cfg, '--json', '--from', '2026-11-21']);
      await program.parseAsync(['node', 'bushu', 'outbox', 'list', ...cfg, '--state', 'dead', '--json']);
    } finally {
      spy.mockRestore();
    }
    expect(JSON.parse(written[0])).toMatchObject([{ device: DEV_A, date: '2026-11-21', steps: 70 }]);
    expect(JSON.parse(written[1])).toHaveLength(1);
    process.exitCode = 0;
  });
});
