// The dashboard in a real headless Chromium at a phone-sized viewport, against a running server
// seeded over HTTP: what a person sees (today's hours, one number per day, the hongbao states,
// the user's own clock, English and Chinese, dark mode), and that a hostile user name stays text.
// Screenshots go to .tmp/dashboard/ (gitignored) for a person to look at.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE, seedDashboardWeek } from './kits/dashboard-seed.ts';
import { openTestDb, startHarness, type Harness, type TestDb } from './kits/services-server.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? null : `${CHROMIUM} not installed (apt-get install chromium)`;
if (skip) console.warn(`services-dashboard: browser test skipped: ${skip}`);
const SHOTS = '.tmp/dashboard';
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
/** The page's getComputedStyle, typed here (the project's TypeScript has no DOM library). */
type Styled = { getComputedStyle(e: unknown): { fill: string; textAlign: string; backgroundColor: string } };
/** Whitespace as plain spaces: ICU puts narrow no-break spaces in times ("9:30\u202fAM"). */
const plain = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();
const cellsOf = (page: Page, table: string) =>
  page.$$eval(`#${table} tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
const barSteps = (page: Page, date: string) => page.getAttribute(`#days rect.bar[data-date="${date}"]`, 'data-steps').then(Number);

describe.skipIf(skip !== null)(`dashboard in headless Chromium${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let t: TestDb;
  let h: Harness;
  let empty: { t: TestDb; h: Harness };
  let browser: Browser;
  let page: Page;

  /** A phone signed in with `login` (a token for /login?token=…; the server's admin token by default, null: not signed in). */
  async function open(url: string, options: BrowserContextOptions = {}, login?: string | null): Promise<Page> {
    const context = await browser.newContext({ ...PHONE, locale: 'en-US', timezoneId: 'America/New_York', ...options });
    const p = await context.newPage();
    const origin = new URL(url).origin;
    const token = login === undefined ? (origin === h.url ? h.adminToken : empty.h.adminToken) : login;
    if (token !== null) await p.goto(`${origin}/login?token=${encodeURIComponent(token)}`);
    await p.goto(url);
    await p.waitForSelector('body[data-ready]', { timeout: 15_000 });
    return p;
  }

  beforeAll(async () => {
    t = await openTestDb('sqlite');
    h = await startHarness(t.db);
    await seedDashboardWeek(h);

    const emptyDb = await openTestDb('sqlite');
    empty = { t: emptyDb, h: await startHarness(emptyDb.db, { seed: { users: [], devices: [], friendships: [] } }) };

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await open(`${h.url}/?user=alice`);
    expect(await page.getAttribute('body', 'data-ready')).toBe('true');
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/phone-en.png`, fullPage: true });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await t?.drop();
    await empty?.h.close();
    await empty?.t.drop();
  });

  it("shows today's steps, the progress to 8,000 and today's hours", async () => {
    expect(await page.textContent('#today-steps')).toBe('5,000 steps');
    expect(await page.textContent('#today-date')).toBe('Nov 21, 2026');
    expect(await page.$eval('#progress', (p) => { const bar = p as unknown as { value: number; max: number }; return [bar.value, bar.max]; })).toEqual([5000, 8000]);
    expect(await page.textContent('#today-note')).toContain('3,000 steps to go');
    const hours = await page.$$eval('#hours rect.bar', (rs) => rs.map((r) => Number(r.getAttribute('data-steps'))));
    expect(hours).toHaveLength(24);
    expect(hours.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(await page.textContent('#hours-note')).toBe('5,000 steps, device a1a1a1a1a1a1.');
  });

  it('labels both axes of both charts', async () => {
    const dayTicks = await page.$$eval('#days text.tick', (ts) => ts.map((x) => x.textContent));
    expect(dayTicks).toEqual(expect.arrayContaining(['0', '5K', '10K', 'Oct 23', 'Nov 21']));
    expect(await page.textContent('#days text.mark.goal')).toBe('8K');
    const hourTicks = await page.$$eval('#hours text.tick', (ts) => ts.map((x) => x.textContent));
    expect(hourTicks).toEqual(expect.arrayContaining(['0', '0h', '6h', '12h', '18h', '24h']));
    expect(hourTicks.length).toBeGreaterThan(7);
  });

  it('tells paid, pending and unearned days apart, in colour and in words', async () => {
    const states = await page.$$eval('#days rect.bar', (rs) => Object.fromEntries(rs.map((r) => [r.getAttribute('data-date'), r.getAttribute('data-hongbao')])));
    expect(states).toMatchObject({
      '2026-11-16': 'below', '2026-11-17': 'late', '2026-11-18': 'paid', '2026-11-19': 'unsigned', '2026-11-20': 'pending', '2026-11-21': 'below',
    });
    const fill = (date: string) => page.$eval(`#days rect.bar[data-date="${date}"]`, (r) => (globalThis as unknown as Styled).getComputedStyle(r).fill);
    expect(new Set([await fill('2026-11-18'), await fill('2026-11-20'), await fill('2026-11-19'), await fill('2026-11-14')]).size).toBe(4);
    const legend = await page.$$eval('#legend li', (lis) => lis.map((li) => li.textContent));
    expect(legend).toEqual(['Hongbao paid', 'Hongbao awarded, not paid yet', 'Goal reached, no hongbao: not signed', 'Goal reached, no hongbao: signed too late', 'Below the goal']);
    expect(await page.textContent('#days g.col[data-date="2026-11-16"] title')).toContain('10,000 steps flagged as implausible, not counted');
  });

  it('taps any day, one without steps too', async () => {
    // The date heading changes at the tap, the note once the day's hours have arrived: wait for the note.
    await page.click('#days g.col[data-date="2026-11-15"]');
    await expect.poll(() => page.textContent('#hours-note'), { timeout: 15_000 }).toBe('No steps recorded.');
    expect(await page.textContent('#hours-date')).toBe('Nov 15, 2026');
    expect(await page.locator('#hours rect.bar').count()).toBe(0);
    await page.click('#days g.col[data-date="2026-11-20"]');
    await expect.poll(() => page.textContent('#hours-note'), { timeout: 15_000 }).toBe('10,500 steps, device a2a2a2a2a2a2.');
    expect(await page.textContent('#hours-date')).toBe('Nov 20, 2026');
    const hours = await page.$$eval('#hours rect.bar', (rs) => rs.map((r) => Number(r.getAttribute('data-steps'))));
    expect(hours.reduce((a, b) => a + b, 0)).toBe(10_500);
  });

  it('gives each day one number, and says why the hongbao counted fewer', async () => {
    const ledger = await cellsOf(page, 'ledger');
    expect(ledger).toEqual([
      ['Nov 20, 2026', '10,500', 'CN¥0.88', 'pending'],
      ['Hongbao earned by device a1a1a1a1a1a1 with 9,000 signed steps; the day counts the most any of your devices counted.'],
      ['Nov 18, 2026', '9,200', 'CN¥0.88', 'paid'],
    ]);
    expect(await barSteps(page, '2026-11-20')).toBe(10_500);
    expect(await barSteps(page, '2026-11-18')).toBe(9200);
    expect(await barSteps(page, '2026-11-16')).toBe(0);
    const self = await page.$$eval('#board tr.self td', (tds) => tds.map((td) => td.textContent));
    expect(self[2]).toBe('5,000');
    expect(await barSteps(page, '2026-11-21')).toBe(5000);
    expect(await page.textContent('#board-note')).toBe('');
  });

  it('says truthfully why a day has no hours', async () => {
    const bob = await open(`${h.url}/?user=bob`);
    expect(await bob.textContent('#hours-note')).toBe('6,500 steps; this device (WeChat) reports day totals only.');
    const carol = await open(`${h.url}/?user=carol`);
    expect(await carol.textContent('#hours-note')).toBe('3,000 steps so far; no hours yet: they arrive with the next sync.');
    await Promise.all([bob.context().close(), carol.context().close()]);
  });

  it("shows the last sync on the user's clock (UTC+8), not the browser's (New York)", async () => {
    const devices = await cellsOf(page, 'devices');
    expect(devices.map((d) => d[0])).toEqual(['a1a1a1a1a1a1', 'a2a2a2a2a2a2']);
    expect(plain(devices[0][2])).toBe('Nov 21, 2026, 9:30 AM (UTC+8)');
  });

  it('aligns numeric column headers with their numbers', async () => {
    for (const table of ['ledger', 'board']) {
      const aligned = await page.$$eval(`#${table} tr`, (trs) => trs.filter((tr) => tr.children.length > 1).map((tr) => [...tr.children].map((c) => (globalThis as unknown as Styled).getComputedStyle(c).textAlign)));
      expect(new Set(aligned.map((a) => a.join()))).toHaveProperty('size', 1);
    }
  });

  it('speaks Chinese with ?lang=zh, in dark mode when the phone asks', async () => {
    const zh = await open(`${h.url}/?user=alice&lang=zh`, { colorScheme: 'dark' });
    expect(await zh.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await zh.textContent('#today-steps')).toBe('5,000 步');
    expect(await zh.textContent('#ledger-h')).toBe('红包记录');
    expect(await zh.textContent('#hours-note')).toBe('5,000 步，设备 a1a1a1a1a1a1。');
    expect(plain((await cellsOf(zh, 'devices'))[0][2])).toBe('2026年11月21日 09:30 (UTC+8)');
    expect(await zh.$eval('body', (b) => (globalThis as unknown as Styled).getComputedStyle(b).backgroundColor)).toBe('rgb(20, 20, 20)');
    expect(await page.$eval('body', (b) => (globalThis as unknown as Styled).getComputedStyle(b).backgroundColor)).toBe('rgb(250, 250, 250)');
    await zh.screenshot({ path: `${SHOTS}/phone-zh-dark.png`, fullPage: true });
    await zh.context().close();
  });

  it("speaks Chinese when it is the browser's language", async () => {
    const zh = await open(`${h.url}/?user=alice`, { locale: 'zh-CN' });
    expect(await zh.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await zh.textContent('#days-h')).toBe('最近 30 天');
    await zh.context().close();
  });

  it('orders the friends leaderboard and renders a hostile name as text', async () => {
    expect(await cellsOf(page, 'board')).toEqual([
      ['1', HOSTILE, '7,000'],
      ['2', 'Bob', '6,500'],
      ['3', 'Alice', '5,000'],
      ['4', 'Carol', '3,000'],
    ]);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#user option', { hasText: 'Mallory' }).textContent()).toBe(`${HOSTILE} (mallory)`);
  });

  it('tells a fresh server what to do next', async () => {
    const fresh = await open(`${empty.h.url}/`);
    expect(await fresh.getAttribute('body', 'data-ready')).toBe('empty');
    expect(await fresh.textContent('#error-text')).toBe('No users registered yet.');
    expect(await fresh.textContent('#error-hint')).toContain('POST /admin/v1/users');
    await fresh.context().close();
  });

  it('shows nothing private before sign-in, and says how to sign in', async () => {
    const out = await open(`${h.url}/?user=alice`, {}, null);
    expect(await out.getAttribute('body', 'data-ready')).toBe('signin');
    expect(await out.textContent('#error-text')).toBe('Sign in to see your steps.');
    expect(await out.textContent('#error-hint')).toContain('login link');
    expect(await out.locator('#user option').count()).toBe(0);
    expect(await out.locator('#days rect.bar').count()).toBe(0);
    await out.context().close();
  });

  it("a user's login link shows their own dashboard and no one else in the picker", async () => {
    const res = await fetch(`${h.url}/admin/v1/users/bob/tokens`, { method: 'POST', headers: h.asAdmin });
    const { token } = (await res.json()) as { token: string };
    const bob = await open(`${h.url}/`, {}, token);
    expect(await bob.getAttribute('body', 'data-ready')).toBe('true');
    expect(await bob.$$eval('#user option', (os) => os.map((o) => o.getAttribute('value')))).toEqual(['bob']);
    await bob.context().close();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });
});
