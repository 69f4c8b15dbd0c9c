// npm run build:lua: the pedometer compiled to Lua in dist/lua, runnable from the repository root as
//   lua5.4 dist/lua/count.lua < recording.csv
// The compilation itself lives in scripts/lua/compile.ts, shared with test/lua.test.ts.
import { join, relative } from 'node:path';
import { buildPedometerLua, REPO_ROOT, writeLuaFiles } from './lua/compile.ts';

const outDir = join(REPO_ROOT, 'dist/lua');
try {
  const files = await buildPedometerLua();
  await writeLuaFiles(files, outDir);
  console.log(`wrote ${files.size} files to ${relative(process.cwd(), outDir) || '.'}: ${[...files.keys()].join(', ')}`);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
}
