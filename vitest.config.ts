import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/kits/global-setup.ts'],
    // The Lua VM test compiles with typescript-to-lua, which takes a few seconds on 2 cores.
    testTimeout: 60_000,
  },
});
