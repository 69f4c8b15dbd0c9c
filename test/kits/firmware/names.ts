// REPL code against a built watch, written with the firmware's source names. The build renames
// the firmware's own property names (scripts/espruino/mangle.ts) and writes the renaming of each
// device group to names.json beside the bundles; these translators apply it to a code string
// before it runs: a test spells the core's `counter`, and the watch runs whatever short name the
// build gave it.
// mangle.ts knows these two functions by name (TRANSLATED_CALLS): the names spelled in their
// code strings are not reserved, so reaching into the watch from a test costs the watch nothing.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EspruinoSim } from '../../../sim/espruino/index.ts';

/** Source name -> built name, per device group ('bangle', 'puck'), as the build wrote them. */
export type BuiltNames = Record<string, Record<string, string>>;

/** The renaming of a buildFirmware() output directory. */
export function builtNames(dir: string): BuiltNames {
  return JSON.parse(readFileSync(join(dir, 'names.json'), 'utf8')) as BuiltNames;
}

/**
 * `code` with every renamed property (`.name` after a dot) spelled as the build spells it. The
 * names in the map are exactly those the build renamed everywhere in the group, so the
 * rewrite is the one the build applied to the firmware's own source.
 */
export function asBuilt(names: Record<string, string>, code: string): string {
  return code.replace(/\.(\s*)([A-Za-z_$][\w$]*)/g, (all: string, space: string, name: string) =>
    Object.prototype.hasOwnProperty.call(names, name) ? '.' + space + names[name] : all,
  );
}

let current: BuiltNames | undefined;

/** Set by the harness once it has built the firmware the simulated watches run. */
export function useBuiltNames(names: BuiltNames): void {
  current = names;
}

/** Runs REPL code written with source names in a watch from the harness (test/kits/firmware/harness.ts). */
export function evalCore(sim: EspruinoSim, code: string): unknown {
  if (current === undefined) throw new Error('evalCore: no firmware built yet (create the watch with the harness first)');
  return sim.eval(asBuilt(current[sim.board === 'PUCKJS2' ? 'puck' : 'bangle'], code));
}
