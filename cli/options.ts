// Option parsers for the command registry: a bad flag is refused while commander parses, with
// one line naming the flag and what it must be (commander prints `error: …` and exits 1), before
// any command code loads. Kept free of the bridge's and services' modules: `bushu --help` loads
// this file.
import { InvalidArgumentError } from 'commander';
import { LOG_LEVELS } from '../bridge/log-levels.ts';

/** An integer in min..max. */
export function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?[0-9]+$/.test(value.trim()) || n < min || n > max) throw new InvalidArgumentError(`must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
    return n;
  };
}

/** A number of seconds above 0 (fractions allowed), at most `max`. */
export function seconds(max = 31 * 24 * 3600) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) throw new InvalidArgumentError(`must be a number of seconds above 0 (at most ${max}), got ${JSON.stringify(value)}`);
    return n;
  };
}

/** A positive factor (--speed). */
export function factor(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) throw new InvalidArgumentError(`must be a number above 0 and at most ${max}, got ${JSON.stringify(value)}`);
    return n;
  };
}

/**
 * A device id as bushu spells it (12 lower-case hex digits), from any of the forms BLE tools
 * show: `c0:ff:ee:00:01:00`, `C0-FF-EE-00-01-00` or `c0ffee000100`.
 */
export function deviceId(value: string): string {
  const id = normaliseDeviceId(value);
  if (id === undefined) throw new InvalidArgumentError(`must be a Bluetooth address (c0:ff:ee:00:01:00) or 12 hex digits, got ${JSON.stringify(value)}`);
  return id;
}

export function normaliseDeviceId(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  if (/^[0-9a-f]{12}$/.test(v)) return v;
  if (/^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/.test(v)) return v.replace(/[:-]/g, '');
  return undefined;
}

export function logLevel(value: string): string {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

/** BUSHU_LOG_LEVEL, checked the way --log-level is: the problem, or undefined when it is fine or unset. */
export function logLevelEnvProblem(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env.BUSHU_LOG_LEVEL;
  if (v === undefined || (LOG_LEVELS as readonly string[]).includes(v)) return undefined;
  return `BUSHU_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(v)}`;
}
