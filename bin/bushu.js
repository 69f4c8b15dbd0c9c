#!/usr/bin/env node
// Entry point installed as `bushu`: runs the compiled CLI in dist/cli (npm run build; the
// prepare script builds it on npm install and npm pack), so starting needs neither TypeScript
// nor tsx, only the production dependencies.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error(`bushu: not built (no ${fileURLToPath(entry)}): run \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))}`);
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv);
