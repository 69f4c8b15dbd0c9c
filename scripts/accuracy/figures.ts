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
  /** Espruino's built-in counter on the same files, from the data README. */
  espruino: number;
  /** The project's requirement: value must be at most this. */
  target: number;
  /** value <= target; null when there is no value to judge. */
  pass: boolean | null;
}

export type Subsets = Record<Kind, SubsetFigure>;

/** What each subset's figure means, Espruino's figure and our target for it. */
export const REFERENCE: Record<Kind, { label: string; unit: string; espruino: number; target: number }> = {
  clip: { label: 'clips, mean absolute % error', unit: '%', espruino: 22.0, target: 6 },
  walk: { label: 'long walks, mean absolute % error', unit: '%', espruino: 4.3, target: 3 },
  lab: { label: 'lab, mean absolute % error', unit: '%', espruino: 2.4, target: 2 },
  zero: { label: 'zero, false steps per hour', unit: 'steps/h', espruino: 33.6, target: 10 },
  mixed: { label: 'mixed, sum of absolute errors / truth', unit: '%', espruino: 70, target: 30 },
};

const MS_PER_HOUR = 3_600_000;

/** Duration of a recording from its timestamps; 0 for fewer than two samples. */
export function recordingHours(t: readonly number[]): number {
  return t.length < 2 ? 0 : (t[t.length - 1] - t[0]) / MS_PER_HOUR;
}

export function fileResult(file: string, kind: Kind, truth: number, steps: number, hours: number): FileResult {
  const error = steps - truth;
  return { file, kind, truth, steps, error, percentError: truth === 0 ? null : (error / truth) * 100, hours };
}

/** Compute every subset's figure from the per-file results. */
export function subsetFigures(results: readonly FileResult[]): Subsets {
  const value: Record<Kind, number | null> = {
    clip: meanAbsPercentError(ofKind(results, 'clip')),
    walk: meanAbsPercentError(ofKind(results, 'walk')),
    lab: meanAbsPercentError(ofKind(results, 'lab')),
    zero: falseStepsPerHour(ofKind(results, 'zero')),
    mixed: totalAbsErrorPercent(ofKind(results, 'mixed')),
  };
  const subsets = {} as Subsets;
  for (const kind of KINDS) {
    const { unit, espruino, target } = REFERENCE[kind];
    const v = value[kind];
    subsets[kind] = { value: v, unit, espruino, target, pass: v === null ? null : v <= target };
  }
  return subsets;
}

/** True when any subset was judged and failed; subsets without data neither pass nor fail. */
export function anyFailed(subsets: Subsets): boolean {
  return KINDS.some((kind) => subsets[kind].pass === false);
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
