import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn git, tmux and whole `flux` processes; two cores on CI.
    maxWorkers: 2,
    setupFiles: ['test/setup.ts'],
  },
});
