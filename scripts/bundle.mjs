// Bundles the CLI into dist/bin/ (the `flux` binary): one small entry chunk,
// and a chunk per lazily loaded part, so `flux status` loads only what it
// uses; plus dist/bin/hook.js, the hook path in one file, since agents run
// it on every turn. Unbundled, resolving and compiling hundreds of small ESM
// files costs more than the work itself (docs/performance.md).
// Built beside dist/bin and swapped in, so a running `flux` never sees half a build.
import { build } from 'esbuild';
import { chmodSync, existsSync, renameSync, rmSync } from 'node:fs';
import { hookOptions, mainOptions } from './bundle-options.mjs';

const dist = new URL('../dist/', import.meta.url).pathname;
const outdir = `${dist}bin.build-${process.pid}/`;
await build(mainOptions(outdir));
await build(hookOptions(outdir));
chmodSync(`${outdir}main.js`, 0o755);
chmodSync(`${outdir}hook.js`, 0o755);

const old = `${dist}bin.old-${process.pid}`;
if (existsSync(`${dist}bin`)) renameSync(`${dist}bin`, old);
renameSync(outdir, `${dist}bin`);
rmSync(old, { recursive: true, force: true });
