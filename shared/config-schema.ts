// What the bridge config (bridge/config.ts) and the services config (services/config.ts) share:
// zod schema pieces whose messages say what was expected and what was found, and the turning of
// a ZodError into one "path: message" line per problem, every problem at once. Node only.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isWebhookSecret, SECRET_RULE } from './webhook.ts';

/** A config that failed validation: `problems` are "path: message" lines, all of them. */
export class ConfigError extends Error {
  constructor(
    /** The file, an environment variable or "configuration" for an object built in code. */
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.length === 1 ? problems[0] : 'invalid configuration:\n  ' + problems.join('\n  ')}`);
  }

  /** One self-contained line per problem, for a command to print each as `bushu: <line>`. */
  lines(): string[] {
    return this.problems.map((p) => `${this.source}: ${p}`);
  }
}

/** The JSON of a config file; a file that cannot be read or parsed is a ConfigError naming it. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(path, [`cannot read: ${(e as Error).message}`]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(path, [`not valid JSON: ${(e as Error).message}`]);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as an error message quotes it: short JSON, "nothing" for a missing one. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  const s = JSON.stringify(value);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

type Found = { input?: unknown };

/** An error message function: "must be <what>, got <the value found>". */
export const mustBe = (what: string) => (issue: Found) => `must be ${what}, got ${describe(issue.input)}`;

/**
 * An object whose keys are all known: an unknown key (a typo, most often) is an error naming the
 * nearest known key, because a silently ignored setting is a setting that does not apply.
 * zod gives one issue for all unknown keys of an object; its message carries one line per key,
 * in the order of `keys`, which problemsOf splits again.
 */
export function closedObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return mustBe('an object')(issue);
      return issue.keys.map((key) => {
        const near = nearest(key, known);
        return `unknown key${near ? ` (did you mean "${near}"?)` : ` (known: ${known.join(', ')})`}`;
      }).join('\n');
    },
  });
}

/** Integers in min..max; without max, at least min. */
export function integer(min: number, max?: number) {
  const what = max !== undefined ? `an integer in ${min}..${max}` : min === 1 ? 'a positive integer' : `an integer >= ${min}`;
  const error = mustBe(what);
  const int = z.int({ error }).min(min, { error });
  return max === undefined ? int : int.max(max, { error });
}

/** A finite number of at least min. */
export function atLeast(min: number) {
  const error = mustBe(`a number >= ${min}`);
  return z.number({ error }).min(min, { error });
}

export function nonEmptyString() {
  return z.string({ error: mustBe('a non-empty string') }).min(1, { error: 'must not be empty' });
}

export function httpUrl() {
  return z.url({ protocol: /^https?$/, error: mustBe('an http(s) URL') });
}

export function oneOf<const Values extends readonly [string, ...string[]]>(values: Values) {
  return z.enum(values, { error: mustBe(`one of ${values.join(', ')}`) });
}

export function booleanValue() {
  return z.boolean({ error: mustBe('true or false') });
}

/** A Standard Webhooks secret, by the rule signing and verification use (shared/webhook.ts). */
export function webhookSecret() {
  const error = `must be ${SECRET_RULE}`;
  return z.string({ error }).refine(isWebhookSecret, { error });
}

/** `services[1].url`, `users.a.devices[0]`; the root is "(top level)". */
export function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out === '' ? '(top level)' : out;
}

/**
 * Every issue as "path: message". Unknown keys come first among the problems of their object,
 * since a misspelt key usually explains a missing one ("devics" ... "devices: must be a list").
 * `rename` maps a path to where the value really came from (an environment variable).
 */
export function problemsOf(error: z.ZodError, rename: (path: string) => string = (p) => p): string[] {
  const lines: { path: readonly PropertyKey[]; text: string }[] = [];
  const line = (path: readonly PropertyKey[], message: string) => ({ path, text: `${rename(pathText(path))}: ${message}` });
  for (const issue of error.issues) {
    if (issue.code !== 'unrecognized_keys') {
      lines.push(line(issue.path, issue.message));
      continue;
    }
    const messages = issue.message.split('\n');
    const unknown = issue.keys.map((key, i) => line([...issue.path, key], messages[i] ?? 'unknown key'));
    const inside = lines.findIndex((l) => issue.path.every((part, i) => l.path[i] === part));
    lines.splice(inside < 0 ? lines.length : inside, 0, ...unknown);
  }
  return lines.map((l) => l.text);
}

/** The known key within edit distance 2 (or sharing a 4-letter prefix), for "did you mean". */
export function nearest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(word.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best ?? known.find((k) => k.length >= 4 && word.toLowerCase().startsWith(k.slice(0, 4).toLowerCase()));
}

/** Levenshtein distance; zod has no suggestions, and a dependency for ten lines is not worth it. */
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
