// Parser for the benchmark's truth.csv: `file,steps,kind,note`, one line per recording.
// The note is free text and may contain commas, so it is taken as the rest of the line rather
// than parsed as CSV; quoted fields are not supported (the real file has none) and are rejected
// in the file column rather than misread.
import { KINDS, type Kind } from './figures.ts';
import { RecordingError } from '../../shared/recording/csv.ts';

export interface TruthEntry {
  /** Recording path relative to the data directory. */
  file: string;
  steps: number;
  kind: Kind;
  note: string;
  /** 1-based line in truth.csv, for messages about this entry. */
  line: number;
}

/** A problem in truth.csv at a 1-based line number: a line-located input error like a recording's. */
export class TruthError extends RecordingError {
  constructor(source: string, line: number, reason: string) {
    super(source, line, reason);
    this.name = 'TruthError';
  }
}

const HEADER = 'file,steps,kind,note';

export function parseTruthCsv(text: string, source: string): TruthEntry[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  let i = 0;
  while (i < lines.length && lines[i].trim() === '') i++;
  const header = (lines[i] ?? '').split(',').map((s) => s.trim().toLowerCase());
  if (header.join(',') !== HEADER && header.join(',') !== 'file,steps,kind') {
    throw new TruthError(source, i < lines.length ? i + 1 : 1, `expected header "${HEADER}", found "${lines[i] ?? ''}"`);
  }

  const entries: TruthEntry[] = [];
  const seen = new Map<string, number>();
  for (i++; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const entry = parseEntry(lines[i], i + 1, source);
    const earlier = seen.get(entry.file);
    if (earlier !== undefined) throw new TruthError(source, entry.line, `${entry.file} is already listed on line ${earlier}`);
    seen.set(entry.file, entry.line);
    entries.push(entry);
  }
  return entries;
}

function parseEntry(line: string, lineNo: number, source: string): TruthEntry {
  const fail = (reason: string): never => {
    throw new TruthError(source, lineNo, reason);
  };
  const [file, stepsText, kindText] = line.split(',', 3).map((s) => s.trim());
  if (kindText === undefined) fail('expected file,steps,kind[,note]');
  const afterKind = nthComma(line, 3);
  const note = afterKind < 0 ? '' : line.slice(afterKind + 1).trim();

  if (file === '') fail('file is empty');
  if (file.startsWith('"')) fail('quoted fields are not supported');
  if (!/^\d+$/.test(stepsText)) fail(`steps is not a whole number: "${stepsText}"`);
  const steps = Number(stepsText);
  if (!(KINDS as readonly string[]).includes(kindText)) fail(`unknown kind "${kindText}" (expected ${KINDS.join(', ')})`);
  const kind = kindText as Kind;
  // The subset figures depend on these, so contradictory truth would give silently wrong figures.
  if (kind === 'zero' && steps !== 0) fail(`a zero recording must have 0 steps, not ${steps}`);
  if ((kind === 'clip' || kind === 'walk' || kind === 'lab') && steps === 0) fail(`a ${kind} recording needs steps > 0`);
  return { file, steps, kind, note, line: lineNo };
}

/** Index of the n-th comma (1-based), or -1. */
function nthComma(line: string, n: number): number {
  let at = -1;
  for (let k = 0; k < n; k++) {
    at = line.indexOf(',', at + 1);
    if (at < 0) return -1;
  }
  return at;
}
