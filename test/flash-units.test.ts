// The flasher's pieces without processes: the console emulation that decodes uploads, the Storage
// plan read from a dist directory, and the option checks.
import { describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EspruinoConsole, replay } from '../scripts/flash/espruino-console.ts';
import { planStorage, PlanError } from '../scripts/flash/plan.ts';
import { classifyPort, parseKey, parseTime, UsageError } from '../scripts/flash/options.ts';
import { parseSizes, setTimeExpression, sizesExpression } from '../scripts/flash/device-code.ts';
import { espruinoArgs } from '../scripts/flash/espruino-cli.ts';

const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');

describe('Espruino console emulation', () => {
  it('reassembles chunked atob writes as the CLI sends them', () => {
    const data = 'abc\x00\xffdef';
    const bytes = `\n\x10print()\n\x10require("Storage").write("f",atob("${b64(data.slice(0, 4))}"),0,${data.length})\n`
      + `\x10require("Storage").write("f",atob("${b64(data.slice(4))}"),4)\n\x10\x1b[2dsetTime(12.5);E.setTimeZone(1)\n\n`;
    const { files, events } = replay(Buffer.from(bytes, 'latin1'));
    expect(files.get('f')!.toString('latin1')).toBe(data);
    expect(events.setTime).toEqual([12.5]);
    expect(events.timeZone).toEqual([1]);
    expect(events.errors).toEqual([]);
  });

  it('leaves the 0xFF of erased flash where a chunk never arrived', () => {
    const { files } = replay(Buffer.from(`require("Storage").write("f",atob("${b64('ab')}"),0,4)\n`, 'latin1'));
    expect([...files.get('f')!]).toEqual([0x61, 0x62, 0xff, 0xff]);
  });

  it('reports writes past the end of a file as an Uncaught error', () => {
    let said = '';
    const c = new EspruinoConsole((t) => { said += t; });
    c.feed(`require("Storage").write("f","ab",0,2)\nrequire("Storage").write("f","cd",1)\n`);
    expect(said).toContain('Uncaught Error: Too much data for file size');
    expect(c.events.errors).toHaveLength(1);
  });

  it('echoes, prompts, hides 0x10 lines, joins ESC-LF lines and drops a line on Ctrl-C', () => {
    let said = '';
    const c = new EspruinoConsole((t) => { said += t; });
    c.feed('1+1\n');
    expect(said).toBe('1+1\r\n=2\r\n>');
    said = '';
    c.feed('\x10var x = [1,\x1b\n2]\n\x10print(x.length)\n');
    expect(said).toBe('>2\r\n>');
    said = '';
    c.feed('garbage(\x03\x10print("ok")\n');
    expect(said).toBe('garbage(\r\n>ok\r\n>');
  });

  it('answers the process.env probe the CLI sends when it has no --board', () => {
    let said = '';
    const c = new EspruinoConsole((t) => { said += t; }, { BOARD: 'PUCKJS' });
    c.feed('\x10print("<","<<",JSON.stringify(process.env),">>",">")\n');
    const m = /< <<(.*)>> >/.exec(said);
    expect(JSON.parse(m![1]!)).toMatchObject({ BOARD: 'PUCKJS', VERSION: '2v25' });
  });

  it('runs the size check and the time snippet the flasher sends', () => {
    let said = '';
    const c = new EspruinoConsole((t) => { said += t; });
    c.feed(`\x10require("Storage").write("a","xyz")\n\x10${sizesExpression(['a', 'missing'])}\n`);
    expect(parseSizes(said)).toEqual([3, -1]);
    c.feed(`\x10${setTimeExpression(new Date('2026-03-01T08:00:00Z'))}\n`);
    expect(c.events.setTime).toEqual([1772352000]);
    expect(c.events.loads).toEqual([undefined]);
  });
});

describe('Storage plan', () => {
  async function dist(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'bushu-plan-'));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    return dir;
  }

  it('maps metadata.json storage names to files and adds the key last', async () => {
    const dir = await dist({
      'bangle/metadata.json': JSON.stringify({ storage: [{ name: 'x.app.js', url: 'app.js' }, { name: 'x.json' }] }),
      'bangle/app.js': 'hello',
    });
    const plan = await planStorage('bangle', dir, new Uint8Array(32).fill(0xaa));
    expect(plan).toEqual([
      { name: 'x.app.js', source: join(dir, 'bangle/app.js'), size: 5 },
      { name: 'bushu.key', source: undefined, size: 32 },
    ]);
    await rm(dir, { recursive: true });
  });

  it('writes the <id>.info beside metadata.json too, which the App Loader would write itself', async () => {
    const dir = await dist({
      'bangle/metadata.json': JSON.stringify({ id: 'x', storage: [{ name: 'x.app.js', url: 'app.js' }] }),
      'bangle/app.js': 'hello',
      'bangle/x.info': '{"id":"x"}',
    });
    const plan = await planStorage('bangle', dir, undefined);
    expect(plan.map((f) => f.name)).toEqual(['x.app.js', 'x.info']);
    await rm(dir, { recursive: true });
  });

  it.each([
    [{ 'bangle/metadata.json': '{"storage":[]}' }, /non-empty "storage"/],
    [{ 'bangle/metadata.json': '{"storage":[{"name":"a","url":"../x"}]}' }, /"url" must be a file name inside/],
    [{ 'bangle/metadata.json': `{"storage":[{"name":"${'n'.repeat(29)}","url":"a"}]}`, 'bangle/a': 'x' }, /must be 1-28 characters/],
    [{ 'bangle/metadata.json': '{"storage":[{"name":"a","url":"a"}]}', 'bangle/a': '' }, /is empty/],
    [{ 'bangle/metadata.json': '{"storage":[{"name":"a","url":"gone"}]}' }, /missing firmware file .*gone/],
    [{ 'bangle/metadata.json': '{not json' }, /metadata\.json: /],
  ])('rejects a bad dist directory %#', async (files, message) => {
    const dir = await dist(files as Record<string, string>);
    await expect(planStorage('bangle', dir, undefined)).rejects.toThrow(PlanError);
    await expect(planStorage('bangle', dir, undefined)).rejects.toThrow(message);
    await rm(dir, { recursive: true });
  });

  it('writes the Puck bundle as .bootcde', async () => {
    const dir = await dist({ 'puck/bushu.js': 'LED1.set()' });
    expect(await planStorage('puck', dir, undefined)).toEqual([{ name: '.bootcde', source: join(dir, 'puck/bushu.js'), size: 10 }]);
    await rm(dir, { recursive: true });
  });
});

describe('options and espruino arguments', () => {
  it('turns 64 hex digits, either case, into the 32 key bytes and rejects others', () => {
    expect(parseKey('0aB1'.repeat(16))).toEqual(new Uint8Array(Array.from({ length: 32 }, (_, i) => (i & 1 ? 0xb1 : 0x0a))));
    expect(() => parseKey('ab'.repeat(33))).toThrow(UsageError);
  });

  it('accepts only full ISO date-times', () => {
    expect(parseTime('2026-03-01T08:00:00+01:00').toISOString()).toBe('2026-03-01T07:00:00.000Z');
    expect(() => parseTime('2026-03-01')).toThrow(/ISO date-time/);
  });

  it('keeps D-Bus out of every connection kind', () => {
    const args = (port: string) => espruinoArgs({ target: 'puck', connection: classifyPort(port), storage: [], expression: '1' });
    expect(args('tcp://localhost:2323')).toContain('--no-ble');
    expect(args('/dev/ttyACM0')).toContain('--no-ble');
    expect(args('C0:11:22:33:44:55').join(' ')).toContain('--config BLUETOOTH_LOW_ENERGY_DBUS=false');
    const byName = espruinoArgs({ target: 'bangle', connection: { kind: 'device', name: 'Bangle' }, storage: [{ name: 'a', path: '/x/a' }], expression: '1' });
    expect(byName.join(' ')).toMatch(/BLUETOOTH_LOW_ENERGY_DBUS=false .*-d Bangle --storage a:\/x\/a -e 1$/);
    expect(byName[0]).toBe('--board');
  });
});
