// The built Bangle folder (dist/firmware/bangle) against the rules the Bangle.js App Loader
// applies to an app (test/kits/apploader-rules.ts), and its history download page's CSV.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { appLoaderProblems } from './kits/apploader-rules.ts';
import { bangle, firmware } from './kits/firmware/harness.ts';
import { evalCore } from './kits/firmware/names.ts';
import { Link } from './kits/firmware/link.ts';
import { encodeSetKey, StatusCode } from '../shared/protocol/index.ts';
import { crc32 } from '../shared/protocol/crc32.ts';
import { VERSION } from '../firmware/core/version.ts';
import { bytesOf, CSV_HEADER, historyCsv, historyDays, liveFile } from '../firmware/bangle/interface/history-csv.ts';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0); // Monday 2 March 2026, 09:00 UTC

const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of the built folder to break on purpose. */
async function copy(): Promise<string> {
  const fw = await firmware();
  const dir = mkdtempSync(join(tmpdir(), 'bushu-apploader-'));
  scratch.push(dir);
  cpSync(join(fw.dir, 'bangle'), dir, { recursive: true });
  return dir;
}

describe('the App Loader rules', () => {
  it('accept the built folder', async () => {
    const fw = await firmware();
    expect(appLoaderProblems(join(fw.dir, 'bangle'))).toEqual([]);
  });

  it('name the version the watch reports in Info (major.minor)', async () => {
    const fw = await firmware();
    const meta = JSON.parse(readFileSync(join(fw.dir, 'bangle', 'metadata.json'), 'utf8')) as { version: string };
    expect(meta.version).toBe(`${VERSION[0]}.${VERSION[1]}`);
  });

  it('refuse what the loader refuses: an explicit .info, a missing readme, a ChangeLog behind the version, a wrong icon', async () => {
    const dir = await copy();
    const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'));
    meta.storage.push({ name: 'bushu.info', url: 'bushu.info' });
    meta.readme = 'MISSING.md';
    const current = `${VERSION[0]}.${VERSION[1]}`;
    const ahead = `${VERSION[0]}.${VERSION[1] + 1}`;
    meta.version = ahead;
    meta.icon = 'bushu.img';
    meta.tags = 'Health';
    writeFileSync(join(dir, 'metadata.json'), JSON.stringify(meta));
    const problems = appLoaderProblems(dir).join('\n');
    expect(problems).toMatch(/storage lists bushu\.info/);
    expect(problems).toMatch(/readme MISSING\.md is not in the folder/);
    expect(problems).toContain(`ChangeLog's last version ${current} is not the app's ${ahead}`);
    expect(problems).toMatch(/icon bushu\.img is not a PNG/);
    expect(problems).toMatch(/tag "Health"/);
  });

  it('refuse a folder whose listed files are missing or do not parse', async () => {
    const dir = await copy();
    rmSync(join(dir, 'screenshot.png'));
    rmSync(join(dir, 'interface.html'));
    writeFileSync(join(dir, 'bushu.wid.js'), 'g.clear(); function (');
    const problems = appLoaderProblems(dir).join('\n');
    expect(problems).toMatch(/screenshot screenshot\.png is not a PNG in the folder/);
    expect(problems).toMatch(/interface interface\.html is not in the folder/);
    expect(problems).toMatch(/bushu\.wid\.js is not valid JavaScript/);
    expect(problems).toMatch(/widget bushu\.wid\.js clears the whole screen/);
  });
});

describe('the history download page (interface.html)', () => {
  it('turns the watch history files into CSV: closed days, signed or not, then the open day', async () => {
    const sim = await bangle({ startTime: T0 });
    evalCore(sim, 'bushu.counter.add(1200)');
    sim.advance(24 * 3600 * 1000); // the day closes at midnight, unsigned: no key yet
    const link = new Link(sim);
    expect(link.control(encodeSetKey(new Uint8Array(32).fill(5)))?.status).toBe(StatusCode.OK);
    link.close();
    evalCore(sim, 'bushu.counter.add(2000)');
    sim.advance(24 * 3600 * 1000); // this one is signed
    evalCore(sim, 'bushu.counter.add(345)');
    sim.advance(6 * 60 * 1000); // a checkpoint of the open day
    const files = ['bushu.hist0', 'bushu.hist1'].map((n) => sim.storage.readBytes(n));
    const csv = historyCsv(files);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(CSV_HEADER);
    expect(lines).toHaveLength(4);
    const closed = lines[1].split(',');
    expect(closed.slice(0, 5)).toEqual(['2026-03-02', '1200', 'unsigned', '1', '0']);
    expect(closed.slice(6).map(Number).reduce((a, b) => a + b)).toBe(1200); // the hours add up
    expect(closed[6 + 9]).toBe('1200'); // counted in the 09:00 hour
    expect(lines[2].split(',').slice(0, 5)).toEqual(['2026-03-03', '2000', 'signed', '2', '0']);
    const open = lines[3].split(',');
    expect(open.slice(0, 6)).toEqual(['2026-03-04', '345', 'open', '', '0', '']);
  });

  it('reads the files as the App Loader hands them over (one character per byte; "" when missing)', async () => {
    const bytes = new Uint8Array([0, 1, 127, 128, 255]);
    expect(bytesOf(String.fromCharCode(...bytes))).toEqual(bytes);
    expect(bytesOf('')).toBeUndefined();
    expect(historyCsv([undefined, undefined])).toBe(CSV_HEADER + '\n');
    expect(historyDays([new Uint8Array(64).fill(0x55)])).toEqual([]); // not a history file
  });

  it('picks the live file as the watch does: the older generation after a compaction cut short', async () => {
    const sim = await bangle({ startTime: T0 });
    evalCore(sim, 'bushu.counter.add(10)');
    sim.advance(24 * 3600 * 1000);
    const a = sim.storage.readBytes('bushu.hist0')!;
    // The same history one generation on, with its header resealed and nothing after it: what
    // a compaction leaves when it is cut short just after writing the new file's header.
    const b = new Uint8Array(a.length).fill(0xff);
    b.set(a.subarray(0, 16));
    const v = new DataView(b.buffer);
    v.setUint32(4, v.getUint32(4, true) + 1, true);
    v.setUint32(12, crc32(b.subarray(0, 12)), true);
    expect(liveFile([b, a])).toBe(a);
    expect(liveFile([a, b])).toBe(a);
    expect(liveFile([b, undefined])).toBe(b);
    expect(historyDays([b, a]).map((d) => d.steps)).toEqual([10]);
  });

  it('is built into interface.html, with the App Loader helpers it uses and no watch-side code', async () => {
    const fw = await firmware();
    const page = readFileSync(join(fw.dir, 'bangle/interface.html'), 'utf8');
    expect(page).toContain('../../core/lib/interface.js');
    expect(page).toContain('Util.readStorage');
    expect(page).toContain('Util.saveCSV');
    expect(page).not.toContain('/*HISTORY_CSV*/');
    expect(page).not.toMatch(/require\(["']Storage["']\)/);
    // The bundled module runs in a plain browser-like context and gives the same CSV.
    const script = page.split('<script>')[1].split('</script>')[0];
    const ctx: Record<string, unknown> = {};
    runInNewContext(script + '\nthis.out = bushuCsv;', ctx);
    const api = ctx.out as { historyCsv: typeof historyCsv };
    expect(api.historyCsv([undefined])).toBe(CSV_HEADER + '\n');
  });
});
