#!/usr/bin/env node
// Entry point installed as `bushu`. The CLI is TypeScript; tsx compiles it on the fly, so there
// is no build step. register() hooks tsx into Node's ESM loader before main.ts is imported.
// tsconfig: false stops tsx from picking up whatever tsconfig.json is in the user's cwd;
// our sources need none of its settings to run.
import { register } from 'tsx/esm/api';

register({ tsconfig: false });
const { main } = await import('../cli/main.ts');
await main(process.argv);
