import type { Recording } from './recording.ts';

/**
 * Parser for the recording CSV format:
 *
 *     Time (ms),X,Y,Z
 *     85,917,-1278,-8159
 *
 * Decisions (see also test/csv.test.ts):
 * - Header: case-insensitive, whitespace around names ignored, time column may be named
 *   `Time (ms)`, `time(ms)`, `time`, `t` or `time_ms`; columns must be in the order time,X,Y,Z.
 *   A UTF-8 BOM and CRLF line endings are accepted. Blank lines anywhere are skipped.
 * - Exactly four columns, in the header and in every row. Extra columns are an error, not ignored:
 *   we cannot tell a harmless extra column (a magnitude, say) from a row whose values have shifted,
 *   and counting steps from shifted data would be silently wrong.
 * - Time is a plain decimal number (`85` or `85.5`, no exponent) and must strictly increase.
 *   Duplicate timestamps are rejected: the pedometer sees time gaps only, so a repeated time would
 *   reach it as a 0 ms gap, which no real 12.5 Hz logger produces; it means a corrupt or spliced log.
 * - Axes are plain integers (raw counts, 8192 = 1 g). Whitespace around any value is allowed.
 * - A header with no samples is an empty recording; an empty file is an error (no header).
 */

/** A problem in an input file, located at a 1-based line number. */
export class RecordingError extends Error {
  readonly source: string;
  readonly line: number;
  readonly reason: string;

  constructor(source: string, line: number, reason: string) {
    super(`${source}:${line}: ${reason}`);
    this.name = 'RecordingError';
    this.source = source;
    this.line = line;
    this.reason = reason;
  }
}

const TIME_NAMES = new Set(['time (ms)', 'time(ms)', 'time', 't', 'time_ms']);
const EXPECTED_HEADER = 'Time (ms),X,Y,Z';

/** Parse the text of a recording file. `source` names the file in error messages. */
export function parseRecordingCsv(text: string, source: string): Recording {
  const rec: Recording = { t: [], x: [], y: [], z: [] };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');

  let i = 0;
  while (i < lines.length && isBlank(lines[i])) i++;
  if (i === lines.length) {
    throw new RecordingError(source, 1, `empty file: expected header "${EXPECTED_HEADER}"`);
  }
  checkHeader(stripCr(lines[i]), source, i + 1);

  let prevTime = -Infinity;
  let prevLine = 0;
  for (i++; i < lines.length; i++) {
    const line = stripCr(lines[i]);
    if (isBlank(line)) continue;
    const lineNo = i + 1;
    const fields = line.split(',');
    if (fields.length !== 4) {
      throw new RecordingError(source, lineNo, `expected 4 values (time,X,Y,Z), found ${fields.length}`);
    }
    const t = parseNumber(fields[0], true);
    if (Number.isNaN(t)) throw new RecordingError(source, lineNo, badValue('time', 'a number', fields[0]));
    if (t <= prevTime) {
      const how = t === prevTime ? 'repeats' : 'is before';
      throw new RecordingError(source, lineNo, `time ${t} ${how} the previous sample's time ${prevTime} (line ${prevLine})`);
    }
    const x = parseNumber(fields[1], false);
    if (Number.isNaN(x)) throw new RecordingError(source, lineNo, badValue('X', 'an integer', fields[1]));
    const y = parseNumber(fields[2], false);
    if (Number.isNaN(y)) throw new RecordingError(source, lineNo, badValue('Y', 'an integer', fields[2]));
    const z = parseNumber(fields[3], false);
    if (Number.isNaN(z)) throw new RecordingError(source, lineNo, badValue('Z', 'an integer', fields[3]));
    rec.t.push(t);
    rec.x.push(x);
    rec.y.push(y);
    rec.z.push(z);
    prevTime = t;
    prevLine = lineNo;
  }
  return rec;
}

function checkHeader(line: string, source: string, lineNo: number): void {
  const names = line.split(',').map((s) => s.trim().toLowerCase());
  const ok =
    names.length === 4 && TIME_NAMES.has(names[0]) && names[1] === 'x' && names[2] === 'y' && names[3] === 'z';
  if (!ok) {
    throw new RecordingError(source, lineNo, `expected header "${EXPECTED_HEADER}", found "${shorten(line)}"`);
  }
}

function badValue(column: string, what: string, field: string): string {
  return field.trim() === '' ? `${column} is empty` : `${column} is not ${what}: "${shorten(field)}"`;
}

/**
 * Strict number parsing: Number() alone would accept "", " ", "0x1F", "1e3" and "Infinity".
 * Accepts an optional sign, digits, and (when allowFraction) one decimal part. Returns NaN if invalid.
 * A hand-written scan keeps a 140k-line file linear and allocation-free apart from trim().
 */
function parseNumber(field: string, allowFraction: boolean): number {
  const s = field.trim();
  let i = 0;
  const first = s.charCodeAt(0);
  if (first === 43 /* + */ || first === 45 /* - */) i++;
  const digitsStart = i;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  if (i === digitsStart) return NaN;
  if (allowFraction && i < s.length && s.charCodeAt(i) === 46 /* . */) {
    const fractionStart = ++i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    if (i === fractionStart) return NaN;
  }
  if (i !== s.length) return NaN;
  const value = Number(s);
  return Number.isFinite(value) ? value : NaN;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

function shorten(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}
