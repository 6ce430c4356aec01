import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Temporary files of the run (tests, clusters, TaskManagers) live in one folder removed at the end.
    globalSetup: ['test/global-setup.ts'],
    // Integration tests start worker threads and child processes; two cores are all we have.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    maxConcurrency: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
