// Bundles the CLI into dist/bin/ (the `flux` binary): one small entry chunk,
// and a chunk per lazily loaded part, so `flux status` loads only what it
// uses; plus dist/bin/hook.js, the hook path in one file, since agents run
// it on every turn. Unbundled, resolving and compiling hundreds of small ESM
// files costs more than the work itself (docs/performance.md).
// Built beside dist/bin and swapped in, so a running `flux` never sees half a build.
import { build } from 'esbuild';
import { chmodSync, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';

const dist = new URL('../dist/', import.meta.url).pathname;
const outdir = `${dist}bin.build-${process.pid}/`;
const common = {
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: { main: new URL('../src/cli/main.ts', import.meta.url).pathname },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Some dependencies still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __fluxRequire } from 'node:module'; const require = __fluxRequire(import.meta.url);",
  },
});
const hook = await build({
  ...common,
  entryPoints: { hook: new URL('../src/cli/hook-main.ts', import.meta.url).pathname },
  metafile: true,
});
// What went into hook.js, for test/build/hook-bundle.test.ts (it must stay free of zod, XState, …).
writeFileSync(`${dist}meta-hook.json`, JSON.stringify(hook.metafile, null, 2) + '\n');
chmodSync(`${outdir}main.js`, 0o755);
chmodSync(`${outdir}hook.js`, 0o755);

const old = `${dist}bin.old-${process.pid}`;
if (existsSync(`${dist}bin`)) renameSync(`${dist}bin`, old);
renameSync(outdir, `${dist}bin`);
rmSync(old, { recursive: true, force: true });
