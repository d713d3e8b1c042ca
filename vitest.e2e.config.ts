import { defineConfig } from 'vitest/config';

// End-to-end suite: drives the real `claude` binary (installed by
// scripts/install-claude.mjs) against the scripted model server, in tmux.
// test/e2e/*.test.ts: the binary alone, in the rig; test/e2e/flux/*.test.ts:
// whole `flux run`s with the real binary (the built dist/bin: `npm run build` first).
export default defineConfig({
  test: {
    include: ['test/e2e/*.test.ts', 'test/e2e/flux/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Each claude process is heavy; two cores.
    maxWorkers: 2,
  },
});
