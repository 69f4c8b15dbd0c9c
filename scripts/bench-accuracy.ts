// Accuracy benchmark entry: `npm run bench:accuracy -- [DIR...] [--json] [--check]`.
// Without DIR it runs every set under the shared data next to the repository, found from this file
// rather than the cwd, so the command works from any directory. The work is in scripts/accuracy/.
import { fileURLToPath } from 'node:url';
import { benchCli } from './accuracy/bench.ts';

const DEFAULT_ROOT = fileURLToPath(new URL('../../shared/data/steps', import.meta.url));

process.exitCode = await benchCli(process.argv.slice(2), DEFAULT_ROOT, process.stdout, process.stderr);
