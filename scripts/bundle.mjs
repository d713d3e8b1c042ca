// Bundles the CLI into dist/bin/ (the `flux` binary): one small entry chunk,
// and a chunk per lazily loaded part, so `flux status` loads only what it
// uses; plus dist/bin/hook.js, the hook path in one file, since agents run
// it on every turn. Unbundled, resolving and compiling hundreds of small ESM
// files costs more than the work itself (docs/performance.md).
// Built beside dist/bin and swapped in, so a running `flux` never sees half a build.
// The bundle is self-contained: the package declares no runtime dependencies,
// so the build fails if anything but a Node built-in is left to load at run time.
import { build } from 'esbuild';
import { chmodSync, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { hookOptions, mainOptions } from './bundle-options.mjs';

const dist = new URL('../dist/', import.meta.url).pathname;
const outdir = `${dist}bin.build-${process.pid}/`;

/** Fails when an output imports anything but a Node built-in (it would be missing where npm installs Flux). */
function requireSelfContained({ metafile }) {
  const outside = Object.entries(metafile.outputs).flatMap(([file, output]) =>
    output.imports.filter((i) => i.external && !isBuiltin(i.path)).map((i) => `${file} imports ${i.path}`),
  );
  if (outside.length > 0) {
    rmSync(outdir, { recursive: true, force: true });
    throw new Error(`the bundle must load only Node built-ins at run time:\n  ${outside.join('\n  ')}`);
  }
}

requireSelfContained(await build({ ...mainOptions(outdir), metafile: true }));
const hook = await build({ ...hookOptions(outdir), metafile: true });
requireSelfContained(hook);
// What went into hook.js, for test/build/hook-bundle.test.ts (it must stay free of zod, XState, …).
writeFileSync(`${dist}meta-hook.json`, JSON.stringify(hook.metafile, null, 2) + '\n');
chmodSync(`${outdir}main.js`, 0o755);
chmodSync(`${outdir}hook.js`, 0o755);

const old = `${dist}bin.old-${process.pid}`;
if (existsSync(`${dist}bin`)) renameSync(`${dist}bin`, old);
renameSync(outdir, `${dist}bin`);
rmSync(old, { recursive: true, force: true });
