// The import direction between the top-level folders, checked on the source text:
//   shared <- firmware, bridge, services        (product code; never imports sim/, scripts/ or tests)
//   {bridge, services, sim} <- cli, demo          (the command and the demo put the pieces together)
//   cli reaches sim/ only through import(): the bushu command loads the simulator for --simulate alone
// scripts/ and test/ may import anything. A relative specifier (static, dynamic or re-export) is
// resolved to the top-level folder it lands in; package imports are not this check's business.

import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

/** For each checked folder, the top-level folders its files may import from (itself included). */
export const MAY_IMPORT: Record<string, readonly string[]> = {
  shared: ['shared'],
  firmware: ['firmware', 'shared'],
  bridge: ['bridge', 'shared'],
  services: ['services', 'shared'],
  sim: ['sim', 'shared', 'firmware', 'bridge'],
  demo: ['demo', 'shared', 'firmware', 'bridge', 'services', 'sim'],
  cli: ['cli', 'shared', 'bridge', 'services', 'sim', 'demo', 'package.json'],
};

/** Folders a checked folder may reach only with a dynamic import(), never statically. */
export const LAZILY_ONLY: Record<string, readonly string[]> = { cli: ['sim'] };

const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\2/g;

export interface Violation {
  file: string;
  specifier: string;
  target: string;
}

/** Violations in one file, given its path relative to the repository root (posix separators). */
export function violationsIn(file: string, text: string): Violation[] {
  const top = file.split('/')[0];
  const allowed = MAY_IMPORT[top];
  if (allowed === undefined) return [];
  const found: Violation[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const dynamic = m[1].includes('(');
    const specifier = m[3];
    const resolved = posix.normalize(posix.join(posix.dirname(file), specifier));
    const target = resolved.startsWith('../') ? '(outside the repository)' : resolved.split('/')[0];
    if (!allowed.includes(target) || (!dynamic && LAZILY_ONLY[top]?.includes(target))) found.push({ file, specifier, target });
  }
  return found;
}

/** Every violation under the checked folders of a repository. */
export function importViolations(root: string): Violation[] {
  const out: Violation[] = [];
  for (const top of Object.keys(MAY_IMPORT)) {
    for (const path of sourceFiles(join(root, top))) {
      const file = relative(root, path).split(sep).join('/');
      out.push(...violationsIn(file, readFileSync(path, 'utf8')));
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(e.name) ? [path] : [];
  });
}
