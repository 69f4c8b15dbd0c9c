// Accuracy figures for the step-count benchmark: pure arithmetic on per-file results, so the
// definitions (which mirror the data README's table of Espruino figures) can be unit-tested.

/** The kinds of recording in truth.csv (see the data README). */
export const KINDS = ['clip', 'walk', 'lab', 'zero', 'mixed'] as const;
export type Kind = (typeof KINDS)[number];

export interface FileResult {
  file: string;
  kind: Kind;
  /** True step count from truth.csv. */
  truth: number;
  /** Steps counted by our pedometer. */
  steps: number;
  /** steps - truth: negative means under-counted. */
  error: number;
  /** error / truth * 100, or null when the truth is 0 (zero recordings). */
  percentError: number | null;
  /** Recording duration from its timestamps (last - first), in hours. */
  hours: number;
}

export interface SubsetFigure {
  /** Our figure, or null when the subset has no files (or, for zero, no duration). */
  value: number | null;
  unit: string;
  /** Espruino's built-in counter on the same files, or null where nobody ran it on them. */
  espruino: number | null;
  /** The project's requirement (value must be at most this), or null where the set has none. */
  target: number | null;
  /** value <= target; null when there is no value or no target to judge it by. */
  pass: boolean | null;
}

export type Subsets = Record<Kind, SubsetFigure>;

/** What each subset's figure means; the same definitions hold for every set. */
export const SUBSETS: Record<Kind, { label: string; unit: string }> = {
  clip: { label: 'clips, mean absolute % error', unit: '%' },
  walk: { label: 'long walks, mean absolute % error', unit: '%' },
  lab: { label: 'lab, mean absolute % error', unit: '%' },
  zero: { label: 'zero, false steps per hour', unit: 'steps/h' },
  mixed: { label: 'mixed, sum of absolute errors / truth', unit: '%' },
};

/**
 * What one set of recordings is measured against. Both are per set because they are facts about
 * those files: Espruino's figures were measured on one set, and a target fits how the recordings
 * were made (a wrist clip is not a phone in a purse). A subset left out has no figure to show.
 */
export interface SetReference {
  espruino: Partial<Record<Kind, number>>;
  target: Partial<Record<Kind, number>>;
}

const MS_PER_HOUR = 3_600_000;

/** Duration of a recording from its timestamps; 0 for fewer than two samples. */
export function recordingHours(t: readonly number[]): number {
  return t.length < 2 ? 0 : (t[t.length - 1] - t[0]) / MS_PER_HOUR;
}

export function fileResult(file: string, kind: Kind, truth: number, steps: number, hours: number): FileResult {
  const error = steps - truth;
  return { file, kind, truth, steps, error, percentError: truth === 0 ? null : (error / truth) * 100, hours };
}

/** Compute every subset's figure from the per-file results, judged against the set's reference. */
export function subsetFigures(results: readonly FileResult[], reference: SetReference): Subsets {
  const value: Record<Kind, number | null> = {
    clip: meanAbsPercentError(ofKind(results, 'clip')),
    walk: meanAbsPercentError(ofKind(results, 'walk')),
    lab: meanAbsPercentError(ofKind(results, 'lab')),
    zero: falseStepsPerHour(ofKind(results, 'zero')),
    mixed: totalAbsErrorPercent(ofKind(results, 'mixed')),
  };
  const subsets = {} as Subsets;
  for (const kind of KINDS) {
    const v = value[kind];
    const espruino = reference.espruino[kind] ?? null;
    const target = reference.target[kind] ?? null;
    const pass = v === null || target === null ? null : v <= target;
    subsets[kind] = { value: v, unit: SUBSETS[kind].unit, espruino, target, pass };
  }
  return subsets;
}

/** True when any subset was judged and failed; subsets without data or target neither pass nor fail. */
export function anyFailed(subsets: Subsets): boolean {
  return KINDS.some((kind) => subsets[kind].pass === false);
}

/** How many of a set's worst files the report names: enough to see a pattern, few enough to read. */
export const WORST_COUNT = 5;

/**
 * Files with steps, the largest absolute % error first: relative error, as in the subset figures,
 * so a 100-step clip off by 50 ranks above a 10,000-step walk off by 100. Ties go to the larger
 * absolute error, then the file name, so the order never depends on the truth.csv's order alone.
 */
export function worstByPercentError(results: readonly FileResult[], count = WORST_COUNT): FileResult[] {
  const percent = (r: FileResult) => Math.abs(r.percentError ?? 0);
  return results
    .filter((r) => r.percentError !== null)
    .sort((a, b) => percent(b) - percent(a) || Math.abs(b.error) - Math.abs(a.error) || compareNames(a, b))
    .slice(0, count);
}

/** A file's false steps per hour when its truth is 0; null when it has no duration to divide by. */
export function fileFalseStepsPerHour(file: FileResult): number | null {
  return file.hours > 0 ? file.steps / file.hours : null;
}

/**
 * Files without steps (truth 0), where a percentage means nothing: the most false steps per hour
 * first, the measure of the zero subset, so a short desk clip and a long drive compare fairly.
 * Ties go to more false steps; files without a duration come last, by false steps; then by name.
 */
export function worstByFalseStepsPerHour(results: readonly FileResult[], count = WORST_COUNT): FileResult[] {
  const rate = (r: FileResult) => fileFalseStepsPerHour(r) ?? -1;
  return results
    .filter((r) => r.truth === 0)
    .sort((a, b) => rate(b) - rate(a) || b.steps - a.steps || compareNames(a, b))
    .slice(0, count);
}

function compareNames(a: FileResult, b: FileResult): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

function ofKind(results: readonly FileResult[], kind: Kind): FileResult[] {
  return results.filter((r) => r.kind === kind);
}

/** Each file weighs the same, however long: a short clip counts as much as a long walk. */
function meanAbsPercentError(files: FileResult[]): number | null {
  const percents = files.map((f) => f.percentError).filter((p): p is number => p !== null);
  if (percents.length === 0) return null;
  return percents.reduce((sum, p) => sum + Math.abs(p), 0) / percents.length;
}

/** Every step counted on a zero recording is false; rate over the subset's total duration. */
function falseStepsPerHour(files: FileResult[]): number | null {
  const hours = files.reduce((sum, f) => sum + f.hours, 0);
  if (hours === 0) return null;
  return files.reduce((sum, f) => sum + f.steps, 0) / hours;
}

/** Pooled rather than averaged: a 3-step drive with 67 counted would otherwise dominate. */
function totalAbsErrorPercent(files: FileResult[]): number | null {
  const truth = files.reduce((sum, f) => sum + f.truth, 0);
  if (truth === 0) return null;
  return (files.reduce((sum, f) => sum + Math.abs(f.error), 0) / truth) * 100;
}

/**
 * Where each recording is counted again, in samples from its start: 0 to 28 (0 to 2.24 s at
 * 12.5 Hz), less than one hop of the detector's analysis (2.56 s). Where a recording starts is an
 * accident, and so is where the analysis windows fall in it; a figure that moves a lot between
 * these starts was measured at a lucky (or unlucky) one.
 */
export const START_OFFSETS: readonly number[] = [0, 4, 8, 12, 16, 20, 24, 28];

/** A subset figure over the starts: the mean, and the best and worst start. */
export interface Spread {
  mean: number;
  min: number;
  max: number;
}

/** Each subset's figure over several starts (one Subsets per start); null where it has no value. */
export function spreadOf(perStart: readonly Subsets[]): Record<Kind, Spread | null> {
  const spread = {} as Record<Kind, Spread | null>;
  for (const kind of KINDS) {
    const values = perStart.map((s) => s[kind].value).filter((v): v is number => v !== null);
    spread[kind] =
      values.length === 0
        ? null
        : { mean: values.reduce((a, v) => a + v, 0) / values.length, min: Math.min(...values), max: Math.max(...values) };
  }
  return spread;
}
