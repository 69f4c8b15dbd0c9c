// Plain-text report of one set of the accuracy benchmark: a per-file table, the subset figures
// beside Espruino's and the targets, then the worst files, where to look first. A dash stands for
// a figure the set does not have (no Espruino run on its files, no target for that subset), so
// nothing is shown that was not measured or required.
import {
  KINDS,
  SUBSETS,
  fileFalseStepsPerHour,
  worstByFalseStepsPerHour,
  worstByPercentError,
  type FileResult,
  type Kind,
  type Spread,
  type Subsets,
} from './figures.ts';

const NONE = '—';

export function formatReport(
  results: readonly FileResult[],
  subsets: Subsets,
  starts?: { offsets: readonly number[]; subsets: Record<Kind, Spread | null> },
): string {
  const fileRows = results.map((r) => [
    r.file,
    r.kind,
    String(r.truth),
    String(r.steps),
    signed(r.error),
    r.percentError === null ? '-' : `${signed(r.percentError, 1)}%`,
    r.hours.toFixed(2),
  ]);
  const subsetRows = KINDS.map((kind) => {
    const s = subsets[kind];
    return [
      SUBSETS[kind].label,
      s.value === null ? 'no data' : withUnit(s.value, s.unit),
      s.espruino === null ? NONE : withUnit(s.espruino, s.unit),
      s.target === null ? NONE : `<= ${withUnit(s.target, s.unit, targetDigits(s.target))}`,
      s.pass === null ? NONE : s.pass ? 'PASS' : 'FAIL',
    ];
  });
  return [
    table(['file', 'kind', 'truth', 'counted', 'error', '% error', 'hours'], fileRows, 2),
    '',
    table(['subset', 'bushu', 'Espruino', 'target', 'result'], subsetRows, 1),
    '',
    ...(starts === undefined ? [] : formatStarts(starts)),
    ...formatWorst(results),
  ].join('\n');
}

/**
 * The subsets again with every recording started a little later, which moves where the analysis
 * windows fall: the mean over the starts, and the best and worst. Shown, not judged: the verdict
 * above is the figure at the recording's own start.
 */
function formatStarts(starts: { offsets: readonly number[]; subsets: Record<Kind, Spread | null> }): string[] {
  const last = starts.offsets[starts.offsets.length - 1];
  const rows = KINDS.filter((kind) => starts.subsets[kind] !== null).map((kind) => {
    const s = starts.subsets[kind] as Spread;
    const unit = SUBSETS[kind].unit;
    return [SUBSETS[kind].label, withUnit(s.mean, unit), withUnit(s.min, unit), withUnit(s.max, unit)];
  });
  if (rows.length === 0) return [];
  return [
    `the same with each recording started 0 to ${last} samples later (${starts.offsets.length} starts):`,
    table(['subset', 'mean', 'best', 'worst'], rows, 1),
    '',
  ];
}

/**
 * The worst files in two rankings: a percentage ranks the files with steps, false steps per hour
 * the files without (their percentage is undefined). A ranking with no files is left out.
 */
function formatWorst(results: readonly FileResult[]): string[] {
  const lines: string[] = [];
  const withSteps = results.filter((r) => r.truth > 0).length;
  const byPercent = worstByPercentError(results);
  if (byPercent.length > 0) {
    const rows = byPercent.map((r) => [
      r.file,
      r.kind,
      String(r.truth),
      String(r.steps),
      signed(r.error),
      `${signed(r.percentError ?? 0, 1)}%`,
    ]);
    lines.push(
      `worst ${byPercent.length} of ${withSteps} files with steps, by absolute % error:`,
      table(['file', 'kind', 'truth', 'counted', 'error', '% error'], rows, 2),
      '',
    );
  }
  const byRate = worstByFalseStepsPerHour(results);
  if (byRate.length > 0) {
    const rows = byRate.map((r) => {
      const rate = fileFalseStepsPerHour(r);
      return [r.file, r.kind, String(r.steps), r.hours.toFixed(2), rate === null ? '-' : rate.toFixed(1)];
    });
    lines.push(
      `worst ${byRate.length} of ${results.length - withSteps} files without steps, by false steps per hour:`,
      table(['file', 'kind', 'false steps', 'hours', 'false steps/h'], rows, 2),
      '',
    );
  }
  return lines;
}

function signed(n: number, digits = 0): string {
  const s = n.toFixed(digits);
  return n > 0 ? `+${s}` : s;
}

/** Whole targets print as such (<= 3%), the others with their decimal (<= 1.5%). */
function targetDigits(target: number): number {
  return Number.isInteger(target) ? 0 : 1;
}

function withUnit(n: number, unit: string, digits = 1): string {
  return unit === '%' ? `${n.toFixed(digits)}%` : `${n.toFixed(digits)} ${unit}`;
}

/** Columns padded to their widest cell; the first `leftColumns` are left-aligned (text), the rest right. */
function table(header: string[], rows: string[][], leftColumns: number): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c].length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => (c < leftColumns ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
