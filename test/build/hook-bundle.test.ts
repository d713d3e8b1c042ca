/**
 * The hook path's promise (docs/hooks.md, docs/performance.md): agents run
 * `dist/bin/hook.js` on every turn, so it bundles none of the heavy
 * dependencies the commands use. Read from the esbuild metafile that
 * `npm run build` writes beside the bundle (scripts/bundle.mjs).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const metaFile = path.join(root, 'dist', 'meta-hook.json');
const hookFile = path.join(root, 'dist', 'bin', 'hook.js');

interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<string, { bytes: number; entryPoint?: string; inputs: Record<string, unknown> }>;
}

function readMeta(): { meta: Metafile; output: Metafile['outputs'][string] } {
  if (!existsSync(metaFile) || !existsSync(hookFile))
    throw new Error(`${metaFile} or ${hookFile} is missing: run \`npm run build\` first`);
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Metafile;
  const outputs = Object.entries(meta.outputs).filter(([file]) => path.basename(file) === 'hook.js');
  expect(outputs, 'the metafile describes exactly one hook.js').toHaveLength(1);
  return { meta, output: outputs[0]![1] };
}

/** The npm package an input file belongs to, or null for the project's own sources. */
function packageOf(input: string): string | null {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match === null ? null : match[1]!;
}

describe('dist/bin/hook.js', () => {
  it('is the bundle the metafile describes', () => {
    const { output } = readMeta();
    expect(output.entryPoint).toBe('src/cli/hook-main.ts');
    expect(output.bytes).toBe(statSync(hookFile).size);
  });

  it('bundles the hook path from the sources', () => {
    const { output } = readMeta();
    const inputs = Object.keys(output.inputs);
    for (const file of ['src/cli/hook-main.ts', 'src/hooks/run.ts', 'src/engine/evolve.ts'])
      expect(inputs).toContain(file);
  });

  it('contains no zod, xstate, commander or chokidar input', () => {
    const { meta, output } = readMeta();
    const packages = new Set(
      [...Object.keys(meta.inputs), ...Object.keys(output.inputs)].map(packageOf).filter((p) => p !== null),
    );
    for (const heavy of ['zod', 'xstate', 'commander', 'chokidar']) expect(packages).not.toContain(heavy);
  });
});
