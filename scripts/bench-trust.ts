// Trust benchmark entry: `npm run bench:trust -- [--days N] [--seed S] [--data DIR] [--json] [--check]`.
// Are shaker days caught and walking days left alone? The recordings default to the shared data
// next to the repository, found from this file rather than the cwd. The work is in scripts/trust/.
import { fileURLToPath } from 'node:url';
import { trustCli } from './trust/bench.ts';

const DEFAULT_DIR = fileURLToPath(new URL('../../shared/data/steps', import.meta.url));

process.exitCode = await trustCli(process.argv.slice(2), DEFAULT_DIR, process.stdout, process.stderr);
