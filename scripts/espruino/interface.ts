// The App Loader's page for bushu (metadata.json "interface"): firmware/bangle/interface/
// interface.html with the history-to-CSV module (interface/history-csv.ts) bundled into it, for
// the browser.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export async function buildInterface(): Promise<string> {
  const dir = join(REPO_ROOT, 'firmware/bangle/interface');
  const r = await build({
    entryPoints: [join(dir, 'history-csv.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'bushuCsv',
    target: 'es2017',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const page = await readFile(join(dir, 'interface.html'), 'utf8');
  if (!page.includes('/*HISTORY_CSV*/')) throw new Error('interface.html lacks its /*HISTORY_CSV*/ slot');
  // A function replacement: the bundle's own "$" sequences stay as they are.
  return page.replace('/*HISTORY_CSV*/', () => r.outputFiles[0].text.trim());
}
