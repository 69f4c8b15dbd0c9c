// The benchmark's sets: a set is a folder with a truth.csv, counted and judged on its own. The
// shared data holds more than one (the wrist recordings in steps/, the carried phone in
// steps/body/), and their figures must not be pooled: a phone in a purse is not a watch on a wrist.
import { basename, resolve } from 'node:path';
import type { SetReference } from './figures.ts';

/**
 * The main set (../shared/data/steps): Espruino's built-in counter was run on exactly these
 * files (the data README's table), and the targets are the project's requirements for it.
 */
const MAIN: SetReference = {
  espruino: { clip: 22.0, walk: 4.3, lab: 2.4, zero: 33.6, mixed: 70 },
  target: { clip: 3, walk: 1, lab: 1.5, zero: 3, mixed: 10 },
};

/**
 * Known sets by name. body (phones carried in a pocket, bag, purse or neck pouch, the way a
 * Puck.js is carried) holds only lab recordings, and the project requires only its lab figure.
 * Its Espruino figure is the one the data README gives for exactly those files (4.2%), not MAIN's.
 */
export const KNOWN_SETS: Readonly<Record<string, SetReference>> = {
  steps: MAIN,
  body: { espruino: { lab: 4.2 }, target: { lab: 2 } },
};

/**
 * Any other set (a folder given on the command line, a new subfolder) is held to the main set's
 * targets, so --check still means something on new recordings, and shows no Espruino figures,
 * since nobody measured Espruino on it.
 */
const OTHER: SetReference = { espruino: {}, target: MAIN.target };

/** A set is known by its folder's name, so a copy of the data elsewhere is still recognised. */
export function setName(dir: string): string {
  return basename(resolve(dir));
}

export function setReference(name: string): SetReference {
  return Object.hasOwn(KNOWN_SETS, name) ? KNOWN_SETS[name] : OTHER;
}
