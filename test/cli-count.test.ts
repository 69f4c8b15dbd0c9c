import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCount } from '../cli/count.ts';
import { countSteps } from '../shared/pedometer/count.ts';
import { parseRecordingCsv } from '../shared/recording/csv.ts';

const BIN = fileURLToPath(new URL('../bin/bushu.js', import.meta.url));
const run = promisify(execFile);

/** A wrist at rest: gravity on Z plus a little noise, 12.5 Hz for `seconds`. */
function restingRecording(seconds: number): string {
  const rows = ['Time (ms),X,Y,Z'];
  for (let i = 0; i < seconds * 12.5; i++) rows.push(`${85 + i * 80},${(i % 3) * 5},${-(i % 2) * 4},-8192`);
  return rows.join('\n') + '\n';
}

/** Collects what a command writes. */
function sink(): { write(text: string): void; text: string } {
  return {
    text: '',
    write(text: string) {
      this.text += text;
    },
  };
}

let dir = '';
let good = '';
let bad = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bushu-cli-'));
  good = join(dir, 'rest.csv');
  await writeFile(good, restingRecording(20));
  bad = join(dir, 'bad.csv');
  await writeFile(bad, 'Time (ms),X,Y,Z\n85,1,2,3\n165,1,oops,3\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runCount', () => {
  it('prints a header and one row per file, counting with countSteps', async () => {
    const out = sink();
    const err = sink();
    const expected = countSteps(parseRecordingCsv(restingRecording(20), 'rest.csv'));
    expect(await runCount([good, good], out, err)).toBe(0);
    expect(out.text).toBe(`file,steps\n${good},${expected}\n${good},${expected}\n`);
    expect(err.text).toBe('');
  });

  it('reports bad and missing files, still counts the good ones, and returns 1', async () => {
    const out = sink();
    const err = sink();
    const missing = join(dir, 'missing.csv');
    expect(await runCount([bad, good, missing], out, err)).toBe(1);
    expect(out.text).toMatch(new RegExp(`^file,steps\n${escape(good)},\\d+\n$`));
    expect(err.text).toBe(`bushu: ${bad}:3: Y is not an integer: "oops"\nbushu: cannot read ${missing}: no such file\n`);
  });

  it('quotes file names that contain commas', async () => {
    const odd = join(dir, 'a,b.csv');
    await writeFile(odd, 'Time (ms),X,Y,Z\n');
    const out = sink();
    expect(await runCount([odd], out, sink())).toBe(0);
    expect(out.text).toBe(`file,steps\n"${odd}",0\n`);
  });
});

describe('bin/bushu.js', () => {
  // Run from the temp directory, not the repository, to show the bin finds its modules from any cwd.
  it('counts a file end to end', async () => {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'count', good], { cwd: dir });
    expect(stdout).toMatch(new RegExp(`^file,steps\n${escape(good)},\\d+\n$`));
    expect(stderr).toBe('');
  });

  it('prints help listing the count command', async () => {
    const { stdout } = await run(process.execPath, [BIN, '--help'], { cwd: dir });
    expect(stdout).toContain('Usage: bushu');
    expect(stdout).toMatch(/^\s+count <files\.\.\.>/m);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
