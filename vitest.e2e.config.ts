import { defineConfig } from 'vitest/config';

// End-to-end suite: drives the real `claude` binary (installed by
// scripts/install-claude.mjs) against the scripted model server, in tmux.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Each claude process is heavy; two cores.
    maxWorkers: 2,
  },
});
