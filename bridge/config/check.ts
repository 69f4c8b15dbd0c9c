// Hand-written validation helpers for bushu.config.json. Every problem is collected with its
// path ("services[1].url: must be an http(s) URL"), so one run shows them all.

export class Problems {
  readonly list: string[] = [];

  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }

  /** Objects only (not arrays or null); reports unknown keys with the nearest known one. */
  object(value: unknown, path: string, known: readonly string[]): Record<string, unknown> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.add(path || '(top level)', `must be an object, got ${describe(value)}`);
      return undefined;
    }
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (known.includes(key)) continue;
      const near = nearest(key, known);
      this.add(join(path, key), `unknown key${near ? ` (did you mean "${near}"?)` : ` (known: ${known.join(', ')})`}`);
    }
    return obj;
  }

  string(value: unknown, path: string): string | undefined {
    if (typeof value === 'string' && value !== '') return value;
    this.add(path, `must be a non-empty string, got ${describe(value)}`);
    return undefined;
  }

  int(value: unknown, path: string, min: number, max: number): number | undefined {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    this.add(path, `must be an integer in ${min}..${max}, got ${describe(value)}`);
    return undefined;
  }

  bool(value: unknown, path: string): boolean | undefined {
    if (typeof value === 'boolean') return value;
    this.add(path, `must be true or false, got ${describe(value)}`);
    return undefined;
  }

  url(value: unknown, path: string): string | undefined {
    const s = typeof value === 'string' ? value : undefined;
    let ok = false;
    try {
      ok = s !== undefined && ['http:', 'https:'].includes(new URL(s).protocol);
    } catch {
      ok = false;
    }
    if (ok) return s;
    this.add(path, `must be an http(s) URL, got ${describe(value)}`);
    return undefined;
  }
}

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  const s = JSON.stringify(value);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

/** The known key within edit distance 2 (or sharing a 4-letter prefix), for "did you mean". */
export function nearest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = distance(word.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best ?? known.find((k) => k.length >= 4 && word.toLowerCase().startsWith(k.slice(0, 4).toLowerCase()));
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
