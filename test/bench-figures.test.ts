import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { benchCli, runBench } from '../scripts/accuracy/bench.ts';
import {
  anyFailed,
  fileResult,
  recordingHours,
  spreadOf,
  START_OFFSETS,
  subsetFigures,
  worstByFalseStepsPerHour,
  worstByPercentError,
  type FileResult,
} from '../scripts/accuracy/figures.ts';
import { findSets } from '../scripts/accuracy/discover.ts';
import { formatReport } from '../scripts/accuracy/report.ts';
import { KNOWN_SETS, setName, setReference } from '../scripts/accuracy/sets.ts';
import { parseTruthCsv, TruthError } from '../scripts/accuracy/truth.ts';

function sink(): { write(text: string): void; text: string } {
  return {
    text: '',
    write(text: string) {
      this.text += text;
    },
  };
}

describe('fileResult and recordingHours', () => {
  it('computes signed error and percent error, null percent for zero truth', () => {
    expect(fileResult('a.csv', 'clip', 100, 90, 0.1)).toEqual({
      file: 'a.csv', kind: 'clip', truth: 100, steps: 90, error: -10, percentError: -10, hours: 0.1,
    });
    expect(fileResult('z.csv', 'zero', 0, 4, 1).percentError).toBeNull();
  });

  it('takes the duration from first to last timestamp', () => {
    expect(recordingHours([85, 165, 3_600_085])).toBe(1);
    expect(recordingHours([85])).toBe(0);
    expect(recordingHours([])).toBe(0);
  });
});

describe('subsetFigures', () => {
  const main = KNOWN_SETS.steps;
  const results: FileResult[] = [
    fileResult('c1', 'clip', 100, 95, 0.02), // 5%
    fileResult('c2', 'clip', 150, 159, 0.03), // 6%
    fileResult('w1', 'walk', 1000, 980, 0.2), // 2%
    fileResult('w2', 'walk', 2000, 2100, 0.4), // 5%
    fileResult('l1', 'lab', 300, 303, 0.05), // 1%
    fileResult('z1', 'zero', 0, 6, 0.5),
    fileResult('z2', 'zero', 0, 9, 1.0), // 15 false steps in 1.5 h
    fileResult('m1', 'mixed', 3, 67, 0.2), // |64|
    fileResult('m2', 'mixed', 997, 961, 2), // |36|: 100 / 1000
  ];

  it('computes each subset figure by its definition', () => {
    const s = subsetFigures(results, main);
    expect(s.clip.value).toBeCloseTo(5.5);
    expect(s.walk.value).toBeCloseTo(3.5);
    expect(s.lab.value).toBeCloseTo(1);
    expect(s.zero.value).toBeCloseTo(10);
    expect(s.mixed.value).toBeCloseTo(10);
  });

  it('judges the main set against its targets and carries its Espruino figures', () => {
    const s = subsetFigures(results, main);
    expect(s.clip).toMatchObject({ unit: '%', espruino: 22, target: 3, pass: false });
    expect(s.walk).toMatchObject({ espruino: 4.3, target: 1, pass: false });
    expect(s.lab).toMatchObject({ espruino: 2.4, target: 1.5, pass: true });
    expect(s.zero).toMatchObject({ unit: 'steps/h', espruino: 33.6, target: 3, pass: false });
    expect(s.mixed).toMatchObject({ espruino: 70, target: 10, pass: true }); // exactly at the target
    expect(anyFailed(s)).toBe(true);
    const onlyGood = results.filter((r) => r.kind === 'lab' || r.kind === 'mixed');
    expect(anyFailed(subsetFigures(onlyGood, main))).toBe(false);
  });

  it('judges the body set on lab only, beside Espruino\'s figure for those files and no other', () => {
    const s = subsetFigures(results, KNOWN_SETS.body);
    expect(s.lab).toMatchObject({ value: 1, espruino: 4.2, target: 2, pass: true });
    // clips and walks miss the main set's targets here, but body has none for them: no verdict
    expect(s.clip).toMatchObject({ espruino: null, target: null, pass: null });
    expect(s.walk).toMatchObject({ espruino: null, target: null, pass: null });
    expect(anyFailed(s)).toBe(false);
    expect(anyFailed(subsetFigures([fileResult('l', 'lab', 100, 103, 0.05)], KNOWN_SETS.body))).toBe(true);
  });

  it('knows a set by its folder name; any other set gets the main targets and no Espruino figures', () => {
    expect(setName('/anywhere/steps/')).toBe('steps');
    expect(setName('/anywhere/steps/body')).toBe('body');
    expect(setReference('steps')).toBe(KNOWN_SETS.steps);
    expect(setReference('body')).toBe(KNOWN_SETS.body);
    expect(setReference('my-recordings')).toEqual({ espruino: {}, target: KNOWN_SETS.steps.target });
    expect(setReference('constructor')).toEqual({ espruino: {}, target: KNOWN_SETS.steps.target });
  });

  it('gives no value and no verdict for a subset without data', () => {
    const s = subsetFigures([fileResult('z', 'zero', 0, 0, 0)], main);
    expect(s.clip).toMatchObject({ value: null, pass: null });
    expect(s.zero).toMatchObject({ value: null, pass: null });
    expect(anyFailed(s)).toBe(false);
  });

  it('formats a report with every file and every subset', () => {
    const text = formatReport(results, subsetFigures(results, main));
    expect(text).toMatch(/^c1\s+clip\s+100\s+95\s+-5\s+-5\.0%\s+0\.02$/m);
    expect(text).toMatch(/^z1\s+zero\s+0\s+6\s+\+6\s+-\s+0\.50$/m);
    expect(text).toMatch(/^long walks, mean absolute % error\s+3\.5%\s+4\.3%\s+<= 1%\s+FAIL$/m);
    expect(text).toMatch(/^lab, mean absolute % error\s+1\.0%\s+2\.4%\s+<= 1\.5%\s+PASS$/m);
    expect(text).toMatch(/^zero, false steps per hour\s+10\.0 steps\/h\s+33\.6 steps\/h\s+<= 3 steps\/h\s+FAIL$/m);
  });

  it('prints a dash where a set has no Espruino figure or no target', () => {
    const text = formatReport(results, subsetFigures(results, KNOWN_SETS.body));
    expect(text).toMatch(/^lab, mean absolute % error\s+1\.0%\s+4\.2%\s+<= 2%\s+PASS$/m);
    expect(text).toMatch(/^long walks, mean absolute % error\s+3\.5%\s+—\s+—\s+—$/m);
    expect(text).not.toContain('FAIL');
    expect(text).not.toMatch(/4\.3%|22\.0%/);
  });
});

describe('starts', () => {
  const main = KNOWN_SETS.steps;
  // The same two files counted from three starts: the clip's count and the desk's false steps move.
  const atStart = (clip: number, falseSteps: number): FileResult[] => [fileResult('c', 'clip', 100, clip, 0.02), fileResult('z', 'zero', 0, falseSteps, 0.5)];
  const perStart = [atStart(98, 0), atStart(90, 3), atStart(104, 0)].map((r) => subsetFigures(r, main));

  it('gives each subset its mean, best and worst over the starts, and null where it has no figure', () => {
    const spread = spreadOf(perStart);
    expect(spread.clip).toEqual({ mean: (2 + 10 + 4) / 3, min: 2, max: 10 });
    expect(spread.zero).toEqual({ mean: 2, min: 0, max: 6 });
    expect(spread.walk).toBeNull();
  });

  it('counts again from starts under one analysis hop, the recording\'s own first', () => {
    expect(START_OFFSETS[0]).toBe(0);
    expect(Math.max(...START_OFFSETS)).toBeLessThan(32);
    expect(new Set(START_OFFSETS).size).toBe(START_OFFSETS.length);
  });

  it('prints them after the subset table, only the subsets that have a figure, and only when given', () => {
    const results = atStart(98, 0);
    const starts = { offsets: [0, 4, 8], subsets: spreadOf(perStart) };
    const text = formatReport(results, subsetFigures(results, main), starts);
    expect(text).toContain('the same with each recording started 0 to 8 samples later (3 starts):');
    expect(text).toMatch(/^clips, mean absolute % error\s+5\.3%\s+2\.0%\s+10\.0%$/m);
    expect(text).toMatch(/^zero, false steps per hour\s+2\.0 steps\/h\s+0\.0 steps\/h\s+6\.0 steps\/h$/m);
    expect(text.indexOf('the same with')).toBeGreaterThan(text.indexOf('subset '));
    const table = text.slice(text.indexOf('the same with')).split('\n\n')[0];
    expect(table).not.toContain('long walks');
    expect(formatReport(results, subsetFigures(results, main))).not.toContain('the same with');
  });
});

describe('worst files', () => {
  // given in no particular order; the comments give each file's ranking figure
  const results: FileResult[] = [
    fileResult('c', 'lab', 300, 303, 0.05), // 1%
    fileResult('z2', 'zero', 0, 9, 1.0), // 9 false steps/h
    fileResult('a2', 'clip', 100, 50, 0.02), // -50%, off by 50: ties with a, which comes first by name
    fileResult('f', 'clip', 150, 150, 0.03), // 0%
    fileResult('z4', 'zero', 0, 2, 0), // no duration: last
    fileResult('b', 'walk', 1000, 500, 0.2), // -50%, off by 500: before a and a2
    fileResult('z3', 'zero', 0, 3, 0.25), // 12/h, 3 false steps: after z1
    fileResult('g', 'walk', 2000, 1900, 0.4), // -5%
    fileResult('a', 'clip', 100, 150, 0.02), // +50%, off by 50
    fileResult('m0', 'mixed', 0, 1, 1), // 1/h: truth 0, so ranked with the files without steps
    fileResult('e', 'mixed', 3, 67, 0.2), // +2133%
    fileResult('z1', 'zero', 0, 6, 0.5), // 12/h, 6 false steps
    fileResult('d', 'clip', 100, 80, 0.02), // -20%
  ];
  const names = (files: FileResult[]) => files.map((f) => f.file);

  it('ranks files with steps by absolute % error, then absolute error, then name, five at most', () => {
    expect(names(worstByPercentError(results))).toEqual(['e', 'b', 'a', 'a2', 'd']);
    expect(names(worstByPercentError(results, 100))).toEqual(['e', 'b', 'a', 'a2', 'd', 'g', 'c', 'f']);
  });

  it('ranks files without steps by false steps per hour, then false steps, those without duration last', () => {
    expect(names(worstByFalseStepsPerHour(results))).toEqual(['z1', 'z3', 'z2', 'm0', 'z4']);
    expect(worstByFalseStepsPerHour(results.filter((r) => r.truth > 0))).toEqual([]);
  });

  it('prints both rankings, labelled, after the subset table', () => {
    const text = formatReport(results, subsetFigures(results, KNOWN_SETS.steps));
    const after = (heading: string) => text.slice(text.indexOf(heading)).split('\n');
    const byPercent = after('worst 5 of 8 files with steps, by absolute % error:');
    expect(byPercent[1]).toMatch(/^file\s+kind\s+truth\s+counted\s+error\s+% error$/);
    expect(byPercent.slice(3, 9).map((line) => line.split(/\s+/)[0])).toEqual(['e', 'b', 'a', 'a2', 'd', '']);
    expect(byPercent[3]).toMatch(/^e\s+mixed\s+3\s+67\s+\+64\s+\+2133\.3%$/);
    const byRate = after('worst 5 of 5 files without steps, by false steps per hour:');
    expect(byRate[1]).toMatch(/^file\s+kind\s+false steps\s+hours\s+false steps\/h$/);
    expect(byRate.slice(3, 8)).toEqual([
      expect.stringMatching(/^z1\s+zero\s+6\s+0\.50\s+12\.0$/),
      expect.stringMatching(/^z3\s+zero\s+3\s+0\.25\s+12\.0$/),
      expect.stringMatching(/^z2\s+zero\s+9\s+1\.00\s+9\.0$/),
      expect.stringMatching(/^m0\s+mixed\s+1\s+1\.00\s+1\.0$/),
      expect.stringMatching(/^z4\s+zero\s+2\s+0\.00\s+-$/),
    ]);
    expect(text.indexOf('worst 5 of 8')).toBeGreaterThan(text.indexOf('mixed, sum of absolute errors'));
  });

  it('leaves out a ranking without files', () => {
    const lab = [fileResult('c', 'lab', 300, 303, 0.05)];
    const text = formatReport(lab, subsetFigures(lab, KNOWN_SETS.body));
    expect(text).toContain('worst 1 of 1 files with steps, by absolute % error:');
    expect(text).not.toContain('without steps');
  });
});

describe('parseTruthCsv', () => {
  it('reads entries, taking the note as the rest of the line', () => {
    const text = '\uFEFFfile,steps,kind,note\r\nbangle/a.csv,100,clip,walk; slow, gentle\r\n\r\nz.csv,0,zero\r\n';
    expect(parseTruthCsv(text, 'truth.csv')).toEqual([
      { file: 'bangle/a.csv', steps: 100, kind: 'clip', note: 'walk; slow, gentle', line: 2 },
      { file: 'z.csv', steps: 0, kind: 'zero', note: '', line: 4 },
    ]);
  });

  it.each([
    ['a.csv,100,clip\nb.csv,ten,clip', 3, 'steps is not a whole number: "ten"'],
    ['a.csv,100,clip\nb.csv,-5,walk', 3, 'steps is not a whole number: "-5"'],
    ['a.csv,100,jog', 2, 'unknown kind "jog" (expected clip, walk, lab, zero, mixed)'],
    ['a.csv,100', 2, 'expected file,steps,kind[,note]'],
    [',100,clip', 2, 'file is empty'],
    ['"a,b.csv",100,clip', 2, 'quoted fields are not supported'],
    ['a.csv,3,zero', 2, 'a zero recording must have 0 steps, not 3'],
    ['a.csv,0,walk', 2, 'a walk recording needs steps > 0'],
    ['a.csv,1,clip\na.csv,2,clip', 3, 'a.csv is already listed on line 2'],
  ])('rejects %j at line %i', (body, line, reason) => {
    const parse = () => parseTruthCsv(`file,steps,kind,note\n${body}\n`, 'truth.csv');
    expect(parse).toThrow(TruthError);
    expect(parse).toThrow(`truth.csv:${line}: ${reason}`);
  });

  it('rejects a missing header on line 1', () => {
    expect(() => parseTruthCsv('a.csv,100,clip\n', 't.csv')).toThrow('t.csv:1: expected header "file,steps,kind,note"');
    expect(() => parseTruthCsv('', 't.csv')).toThrow('t.csv:1: expected header');
  });
});

describe('runBench on a temporary directory', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bushu-bench-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a malformed truth.csv in one line naming file and line, exit 2', async () => {
    await writeFile(join(dir, 'truth.csv'), 'file,steps,kind,note\na.csv,100,clip\nb.csv,1O0,clip,typo\n');
    const out = sink();
    const err = sink();
    expect(await runBench([dir], { json: false, check: false }, out, err)).toBe(2);
    expect(err.text).toBe(`bench-accuracy: ${join(dir, 'truth.csv')}:3: steps is not a whole number: "1O0"\n`);
    expect(out.text).toBe('');
  });

  it('reports a missing directory, a missing truth.csv and a bad recording with exit 2', async () => {
    const err = sink();
    const missing = join(dir, 'nope');
    expect(await runBench([missing], { json: false, check: false }, sink(), err)).toBe(2);
    expect(err.text.split('\n')[0]).toBe(`bench-accuracy: cannot read ${missing}: no such directory`);
    expect(err.text).toContain('hand-counted steps');
    expect(err.text).toContain('npm run bench:accuracy -- DIR');

    const err2 = sink();
    expect(await runBench([dir], { json: false, check: false }, sink(), err2)).toBe(2);
    expect(err2.text).toBe(`bench-accuracy: cannot read ${join(dir, 'truth.csv')}: no such file\n`);

    await writeFile(join(dir, 'truth.csv'), 'file,steps,kind,note\nr.csv,0,zero,desk\n');
    await writeFile(join(dir, 'r.csv'), 'Time (ms),X,Y,Z\n85,0,0,8192\n80,0,0,8192\n');
    const err3 = sink();
    expect(await runBench([dir], { json: false, check: false }, sink(), err3)).toBe(2);
    expect(err3.text).toContain(`bench-accuracy: ${join(dir, 'r.csv')}:3: time 80 is before`);
  });

  it('prints JSON for good input, with progress on stderr, and --check decides the exit code', async () => {
    await writeFile(join(dir, 'truth.csv'), 'file,steps,kind,note\nrest.csv,0,zero,on a desk, not moving\n');
    const rows = ['Time (ms),X,Y,Z'];
    for (let i = 0; i < 1000; i++) rows.push(`${i * 80},0,0,8192`);
    await writeFile(join(dir, 'rest.csv'), rows.join('\n'));
    const out = sink();
    const err = sink();
    expect(await benchCli([dir, '--json', '--check'], '/unused', out, err)).toBe(0);
    expect(err.text).toBe('counting rest.csv...\n');
    const [report] = JSON.parse(out.text);
    expect(report.files).toEqual([
      { file: 'rest.csv', kind: 'zero', truth: 0, steps: report.files[0].steps, error: report.files[0].steps, percentError: null, hours: (999 * 80) / 3_600_000 },
    ]);
    // a folder that is no known set: the main set's targets, no Espruino figures
    expect(report.subsets.clip).toEqual({ value: null, unit: '%', espruino: null, target: 3, pass: null });
    expect(report.subsets.zero.pass).toBe(report.subsets.zero.value <= 3);
    // counted again from every start: a still desk gives no step from any of them
    expect(report.starts.offsets).toEqual([...START_OFFSETS]);
    expect(report.starts.subsets.zero).toEqual({ mean: 0, min: 0, max: 0 });
    expect(report.starts.subsets.clip).toBeNull();
  });

  it('rejects unknown options with exit 2', async () => {
    const err = sink();
    expect(await benchCli(['--bogus'], dir, sink(), err)).toBe(2);
    expect(err.text).toContain("Unknown option '--bogus'");
  });

  it('explains in --help how sets are found and judged', async () => {
    const out = sink();
    expect(await benchCli(['--help'], '/anywhere/steps', out, sink())).toBe(0);
    expect(out.text).toContain('usage: bench-accuracy [DIR...] [--json] [--check]');
    expect(out.text).toContain('every set under /anywhere/steps');
    expect(out.text).toContain("Any other set has no Espruino figures and is held to the\nmain set's targets");
  });
});

/** A still recording: the watch lying on a desk, which the pedometer counts as no steps. */
function stillRecording(samples = 1000): string {
  const rows = ['Time (ms),X,Y,Z'];
  for (let i = 0; i < samples; i++) rows.push(`${i * 80},0,0,8192`);
  return `${rows.join('\n')}\n`;
}

/** Write a set: truth.csv from [file, steps, kind] rows, and a still recording for each file. */
async function writeSet(dir: string, rows: [string, number, string][]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'truth.csv'), `file,steps,kind,note\n${rows.map((r) => r.join(',')).join('\n')}\n`);
  for (const [file] of rows) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await writeFile(join(dir, file), stillRecording());
  }
}

describe('several sets', () => {
  let root = '';
  beforeEach(async () => {
    // Like the shared data: the main set at the root, its recordings in a subfolder that is not a
    // set, and a body set with its own truth.csv.
    root = join(await mkdtemp(join(tmpdir(), 'bushu-sets-')), 'steps');
    await writeSet(root, [['bangle/desk.csv', 0, 'zero']]);
    await writeSet(join(root, 'body'), [['purse.csv', 100, 'lab']]); // counted 0: 100% off, fails lab <= 2%
  });
  afterEach(async () => {
    await rm(join(root, '..'), { recursive: true, force: true });
  });

  it('finds the root and every subfolder with a truth.csv, at any depth, in name order', async () => {
    await writeSet(join(root, 'a', 'deeper'), [['x.csv', 0, 'zero']]);
    await writeSet(join(root, '.hidden'), [['x.csv', 0, 'zero']]);
    await mkdir(join(root, 'empty'));
    expect(await findSets(root)).toEqual([root, join(root, 'a', 'deeper'), join(root, 'body')]);
    // a root without truth.csv is not a set, but its subfolders still are
    await rm(join(root, 'truth.csv'));
    expect(await findSets(root)).toEqual([join(root, 'a', 'deeper'), join(root, 'body')]);
  });

  it('runs every set under the default root without arguments, each under a heading with its path', async () => {
    const out = sink();
    const err = sink();
    expect(await benchCli([], root, out, err)).toBe(0);
    expect(err.text).toBe('counting bangle/desk.csv...\ncounting purse.csv...\n');
    const headings = out.text.split('\n').filter((line) => line.startsWith('=='));
    expect(headings).toEqual([`== steps: ${root} ==`, `== body: ${join(root, 'body')} ==`]);
    const [steps, body] = out.text.split(/^== body: .* ==$/m);
    // the main set beside Espruino's figures, the body set beside its own lab figure only
    expect(steps).toMatch(/^zero, false steps per hour\s+0\.0 steps\/h\s+33\.6 steps\/h\s+<= 3 steps\/h\s+PASS$/m);
    expect(body).toMatch(/^lab, mean absolute % error\s+100\.0%\s+4\.2%\s+<= 2%\s+FAIL$/m);
    expect(body).toMatch(/^zero, false steps per hour\s+no data\s+—\s+—\s+—$/m);
  });

  it('prints every set in --json, and --check fails when any one set misses a target', async () => {
    const out = sink();
    expect(await benchCli(['--json', '--check'], root, out, sink())).toBe(1);
    const reports = JSON.parse(out.text);
    expect(reports.map((r: { set: string; dir: string }) => [r.set, r.dir])).toEqual([
      ['steps', root],
      ['body', join(root, 'body')],
    ]);
    expect(reports[0].subsets.zero).toEqual({ value: 0, unit: 'steps/h', espruino: 33.6, target: 3, pass: true });
    expect(reports[1].subsets.lab).toEqual({ value: 100, unit: '%', espruino: 4.2, target: 2, pass: false });
    expect(reports[1].subsets.clip).toEqual({ value: null, unit: '%', espruino: null, target: null, pass: null });
    expect(reports[0].worst).toEqual({ byPercentError: [], byFalseStepsPerHour: ['bangle/desk.csv'] });
    expect(reports[1].worst).toEqual({ byPercentError: ['purse.csv'], byFalseStepsPerHour: [] });

    expect(await benchCli(['--json'], root, sink(), sink())).toBe(0); // reported, not enforced
    expect(await benchCli([root, '--check'], '/unused', sink(), sink())).toBe(0); // the passing set alone
    expect(await benchCli([root, join(root, 'body'), '--check'], '/unused', sink(), sink())).toBe(1);
  });

  it('stops with exit 2 and one line when any set is missing or malformed, printing no report', async () => {
    const out = sink();
    const err = sink();
    const missing = join(root, 'nope');
    expect(await benchCli([root, missing], '/unused', out, err)).toBe(2);
    expect(err.text).toContain(`bench-accuracy: cannot read ${missing}: no such directory\n`);
    expect(out.text).toBe('');

    await writeFile(join(root, 'body', 'truth.csv'), 'file,steps,kind,note\npurse.csv,lots,lab\n');
    const err2 = sink();
    expect(await benchCli([], root, out, err2)).toBe(2);
    expect(err2.text.split('\n').at(-2)).toBe(`bench-accuracy: ${join(root, 'body', 'truth.csv')}:2: steps is not a whole number: "lots"`);
    expect(out.text).toBe('');
  });

  it('says so when the default root is missing or holds no set', async () => {
    const err = sink();
    expect(await benchCli([], join(root, 'nope'), sink(), err)).toBe(2);
    expect(err.text.split('\n')[0]).toBe(`bench-accuracy: cannot read ${join(root, 'nope')}: no such directory`);
    expect(err.text).toContain('npm run bench:accuracy -- DIR');

    const err2 = sink();
    expect(await benchCli([], join(root, 'bangle'), sink(), err2)).toBe(2);
    expect(err2.text).toBe(`bench-accuracy: cannot read ${join(root, 'bangle', 'truth.csv')}: no such file, nor in any subfolder\n`);
  });
});
