// The dashboard in a real headless Chromium at a phone-sized viewport, against a running server
// seeded over HTTP: what a person sees, and that a hostile user name stays plain text.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver, makeRecord, signRecord } from './kits/services.ts';
import { openTestDb, startHarness, type Harness, type TestDb } from './kits/services-server.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? null : `${CHROMIUM} not installed (apt-get install chromium)`;
if (skip) console.warn(`services-dashboard: browser test skipped: ${skip}`);
const HOSTILE = '<img src=x onerror="window.__xss=1">Mallory</b>';

describe.skipIf(skip !== null)(`dashboard in headless Chromium${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let t: TestDb;
  let h: Harness;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    t = await openTestDb('sqlite');
    h = await startHarness(t.db);
    const admin = (path: string, body: unknown) =>
      fetch(`${h.url}/admin/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.adminToken}` }, body: JSON.stringify(body) });
    expect((await admin('users', { id: 'mallory', name: HOSTILE })).status).toBe(201);
    expect((await admin('friendships', { a: 'alice', b: 'mallory' })).status).toBe(201);
    expect((await admin('devices', { id: 'eeeeeeeeeeee', user: 'mallory', bridge: 'home', key: null })).status).toBe(201);
    // As the bridge does: every record to both services (mallory's watch has no key: social only).
    const both = async (rec: ReturnType<typeof makeRecord>) => {
      const targets = [[h.social, h.socialSecret], ...(rec.user === 'mallory' ? [] : [[h.reward, h.rewardSecret]])];
      for (const [base, secret] of targets) {
        expect((await deliver(base, rec, { secret, nowSec: h.nowSec() })).status).toBe(200);
      }
    };
    await both(signRecord(makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date: '2026-11-20', steps: 9000 }), h.keys.a1a1a1a1a1a1, 1));
    await both(makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date: '2026-11-21', steps: 5000, closed: false, syncedAt: '2026-11-21T01:30:00.000Z' }));
    await both(makeRecord({ user: 'bob', device: 'b1b1b1b1b1b1', date: '2026-11-21', steps: 6500, closed: false }));
    await both(makeRecord({ user: 'mallory', device: 'eeeeeeeeeeee', date: '2026-11-21', steps: 7000, closed: false }));

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    // Reads need a credential: sign in as alice through a login link, as a user would.
    const login = (await (await fetch(`${h.url}/admin/v1/users/alice/tokens`, { method: 'POST', headers: h.asAdmin })).json()) as { loginPath: string };
    await page.goto(h.url + login.loginPath);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await t?.drop();
  });

  it("shows today's steps and the progress to 8,000", async () => {
    expect(await page.textContent('#today-steps')).toBe('5,000 steps');
    expect(await page.textContent('#today-date')).toBe('2026-11-21');
    expect(await page.$eval('#progress', (p) => { const bar = p as unknown as { value: number; max: number }; return [bar.value, bar.max]; })).toEqual([5000, 8000]);
    expect(await page.textContent('#today-note')).toContain('3,000 steps to go');
  });

  it('draws 30 day bars, the goal day highlighted', async () => {
    expect(await page.locator('#days rect.bar').count()).toBe(30);
    expect(await page.locator('#days rect.bar.goal').count()).toBe(1);
    expect(await page.getAttribute('#days rect.bar.goal', 'data-date')).toBe('2026-11-20');
  });

  it('clicking a day shows its hours', async () => {
    await page.click('#days rect[data-date="2026-11-20"]');
    await expect.poll(() => page.textContent('#hours-date')).toBe('2026-11-20');
    const hours = await page.$$eval('#hours rect.hour', (rs) => rs.map((r) => Number(r.getAttribute('data-steps'))));
    expect(hours).toHaveLength(24);
    expect(hours.reduce((a, b) => a + b, 0)).toBe(9000);
    expect(await page.textContent('#hours-note')).toContain('9,000 steps');
  });

  it('lists the ledger and devices', async () => {
    const ledger = await page.$$eval('#ledger tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(ledger).toEqual([['2026-11-20', '9,000', '0.88 CNY', 'pending']]);
    const devices = await page.$$eval('#devices tbody td:first-child', (tds) => tds.map((td) => td.textContent));
    expect(devices).toEqual(['a1a1a1a1a1a1', 'a2a2a2a2a2a2']);
  });

  it('orders the friends leaderboard and renders a hostile name as text', async () => {
    const board = await page.$$eval('#board tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(board).toEqual([
      ['1', HOSTILE, '7,000'],
      ['2', 'Bob', '6,500'],
      ['3', 'Alice', '5,000'],
      ['4', 'Carol', '0'],
    ]);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    // Signed in as alice, the user picker offers only alice (friends show on the board, nowhere else).
    expect(await page.locator('#user option').allTextContents()).toEqual(['Alice (alice)']);
  });

  it('fits a phone screen without sideways scrolling', async () => {
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });
});
