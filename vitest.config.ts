import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores here: files run in parallel but each owns its own Postgres schema and Redis prefix.
    pool: 'forks',
    maxWorkers: 2,
  },
});
