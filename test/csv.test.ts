import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecordingCsv, RecordingError } from '../shared/recording/csv.ts';
import { FileReadError, readRecordingFile } from '../shared/recording/file.ts';

const BODY = '85,917,-1278,-8159\n165,769,-1132,-7985\n';

/** Parse and expect a RecordingError; returns it so tests can check line and reason. */
function parseError(text: string): RecordingError {
  try {
    parseRecordingCsv(text, 'rec.csv');
  } catch (e) {
    expect(e).toBeInstanceOf(RecordingError);
    return e as RecordingError;
  }
  throw new Error('expected a RecordingError');
}

describe('parseRecordingCsv', () => {
  it('parses the standard format into column arrays', () => {
    const rec = parseRecordingCsv(`Time (ms),X,Y,Z\n${BODY}`, 'rec.csv');
    expect(rec).toEqual({ t: [85, 165], x: [917, 769], y: [-1278, -1132], z: [-8159, -7985] });
  });

  it.each(['time,x,y,z', 'T,X,Y,Z', 'time_ms,X,Y,Z', ' TIME (MS) , x , y , z ', 'Time(ms),X,Y,Z'])(
    'accepts header %j',
    (header) => {
      expect(parseRecordingCsv(`${header}\n${BODY}`, 'rec.csv').t).toEqual([85, 165]);
    },
  );

  it('accepts a BOM and CRLF line endings', () => {
    const text = '\uFEFFTime (ms),X,Y,Z\r\n85,917,-1278,-8159\r\n165,769,-1132,-7985\r\n';
    expect(parseRecordingCsv(text, 'rec.csv').z).toEqual([-8159, -7985]);
  });

  it('skips blank lines, including leading and trailing ones', () => {
    const text = '\n  \nTime (ms),X,Y,Z\n\n85,917,-1278,-8159\n \n165,769,-1132,-7985\n\n\n';
    expect(parseRecordingCsv(text, 'rec.csv').t).toEqual([85, 165]);
  });

  it('accepts whitespace around values, signs and fractional times', () => {
    const rec = parseRecordingCsv('t,x,y,z\n 0.5 , +1 ,-2, 3\n80.25,0,0,0', 'rec.csv');
    expect(rec).toEqual({ t: [0.5, 80.25], x: [1, 0], y: [-2, 0], z: [3, 0] });
  });

  it('gives an empty recording for a header without samples', () => {
    expect(parseRecordingCsv('Time (ms),X,Y,Z\n', 'rec.csv')).toEqual({ t: [], x: [], y: [], z: [] });
    expect(parseRecordingCsv('Time (ms),X,Y,Z', 'rec.csv').t).toEqual([]);
  });

  it('rejects an empty file on line 1', () => {
    for (const text of ['', '\n\n', '\uFEFF']) {
      const e = parseError(text);
      expect(e.line).toBe(1);
      expect(e.message).toMatch(/^rec\.csv:1: empty file/);
    }
  });

  it('rejects a missing or unrecognised header on line 1', () => {
    expect(parseError(BODY).message).toBe('rec.csv:1: expected header "Time (ms),X,Y,Z", found "85,917,-1278,-8159"');
    expect(parseError(`Time,Y,X,Z\n${BODY}`).line).toBe(1);
    expect(parseError(`Time (ms),X,Y,Z,Total\n${BODY}`).line).toBe(1);
    expect(parseError(`Time (ms),X,Y\n${BODY}`).line).toBe(1);
  });

  it.each([
    ['85,abc,0,0', 'X is not an integer: "abc"'],
    ['85,1.5,0,0', 'X is not an integer: "1.5"'],
    ['85,0,NaN,0', 'Y is not an integer: "NaN"'],
    ['85,0,0,Infinity', 'Z is not an integer: "Infinity"'],
    ['85,0,0,1e3', 'Z is not an integer: "1e3"'],
    ['85,0x10,0,0', 'X is not an integer: "0x10"'],
    ['85,, 0,0', 'X is empty'],
    ['85,0,0,', 'Z is empty'],
    ['x85,0,0,0', 'time is not a number: "x85"'],
    [',0,0,0', 'time is empty'],
    ['85.,0,0,0', 'time is not a number: "85."'],
    ['-Infinity,0,0,0', 'time is not a number: "-Infinity"'],
    ['85,0,0', 'expected 4 values (time,X,Y,Z), found 3'],
    ['85,0,0,0,0', 'expected 4 values (time,X,Y,Z), found 5'],
  ])('rejects %j with its line number', (row, reason) => {
    // Line 1 header, line 2 good, line 3 blank, line 4 the bad row: checks blank lines still count.
    const e = parseError(`Time (ms),X,Y,Z\n1,0,0,0\n\n${row}\n200,0,0,0\n`);
    expect(e.line).toBe(4);
    expect(e.reason).toBe(reason);
    expect(e.message).toBe(`rec.csv:4: ${reason}`);
  });

  it('rejects decreasing time', () => {
    const e = parseError('Time (ms),X,Y,Z\n85,0,0,0\n165,0,0,0\n160,0,0,0\n');
    expect(e.message).toBe("rec.csv:4: time 160 is before the previous sample's time 165 (line 3)");
  });

  it('rejects duplicate timestamps', () => {
    const e = parseError('Time (ms),X,Y,Z\r\n85,0,0,0\r\n85,1,1,1\r\n');
    expect(e.message).toBe("rec.csv:3: time 85 repeats the previous sample's time 85 (line 2)");
  });

  it('parses a 140k-line recording quickly', () => {
    const rows = ['Time (ms),X,Y,Z'];
    for (let i = 0; i < 140_000; i++) rows.push(`${85 + i * 80},${(i * 37) % 2000 - 1000},-1278,-8159`);
    const text = rows.join('\n');
    const start = performance.now();
    const rec = parseRecordingCsv(text, 'big.csv');
    const ms = performance.now() - start;
    expect(rec.t.length).toBe(140_000);
    expect(rec.t[139_999]).toBe(85 + 139_999 * 80);
    expect(ms).toBeLessThan(2000); // about 50 ms here; the bound only catches accidental quadratic work
  });
});

describe('readRecordingFile', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bushu-csv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and parses a file, naming it in errors', async () => {
    const good = join(dir, 'good.csv');
    await writeFile(good, `Time (ms),X,Y,Z\n${BODY}`);
    expect((await readRecordingFile(good)).t).toEqual([85, 165]);

    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'Time (ms),X,Y,Z\n85,1,2\n');
    await expect(readRecordingFile(bad)).rejects.toThrow(`${bad}:2: expected 4 values`);
  });

  it('wraps fs errors in a clear message', async () => {
    const missing = join(dir, 'missing.csv');
    await expect(readRecordingFile(missing)).rejects.toThrow(new FileReadError(missing, 'no such file'));
    await expect(readRecordingFile(missing)).rejects.toThrow(`cannot read ${missing}: no such file`);
    const sub = join(dir, 'sub');
    await mkdir(sub);
    await expect(readRecordingFile(sub)).rejects.toThrow(`cannot read ${sub}: is a directory`);
  });
});
