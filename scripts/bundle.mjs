// Bundles the CLI into dist/bin/ (the `flux` binary): one small entry chunk,
// and a chunk per lazily loaded part, so `flux hook` (run on every agent
// turn) and `flux status` load only what they use. Unbundled, resolving and
// compiling hundreds of small ESM files costs more than the work itself.
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';

const outdir = new URL('../dist/bin/', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: new URL('../src/cli/main.ts', import.meta.url).pathname },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  chunkNames: 'chunks/[name]-[hash]',
  // Some dependencies still call require() for Node built-ins.
  banner: { js: "import { createRequire as __fluxRequire } from 'node:module'; const require = __fluxRequire(import.meta.url);" },
});
chmodSync(`${outdir}main.js`, 0o755);
