/**
 * What each entry of the bundle loads (scripts/bundle-options.mjs, built
 * here in memory with a metafile): Ink and React only for `flux ui`; never
 * for the hook path (dist/bin/hook.js), for `flux status`, or for the CLI's
 * start-up. "Loads" is the static import closure of an entry and of the
 * chunks of the commands it runs: what Node has to read before the command
 * does anything.
 */
import { build, type Metafile } from 'esbuild';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ESM script without types
import { hookOptions, mainOptions } from '../../scripts/bundle-options.mjs';
import { REPO_ROOT } from '../helpers/cli.js';

/** The UI's packages: React, its renderer and scheduler, Ink and its layout engine. */
const UI_PACKAGE = /node_modules\/(ink|react|react-reconciler|scheduler|yoga-layout)\//;

const outdir = path.join(REPO_ROOT, 'dist', 'bin.metafile-test');
let main: Metafile;
let hook: Metafile;

async function metafile(options: object): Promise<Metafile> {
  const result = await build({ ...options, write: false, metafile: true, logLevel: 'silent' });
  return result.metafile!;
}

/** The output built from `entry` (a source file under src/). */
function outputOf(meta: Metafile, entry: string): string {
  const found = Object.entries(meta.outputs).find(([, out]) => out.entryPoint === `src/${entry}`);
  if (found === undefined) throw new Error(`no output for src/${entry}`);
  return found[0];
}

/** Every input bundled into `outputs` and the chunks they import statically. */
function staticClosure(meta: Metafile, outputs: string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of meta.outputs[file]?.imports ?? [])
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  outputs.forEach(visit);
  return [...seen].flatMap((file) => Object.keys(meta.outputs[file]?.inputs ?? {}));
}

/** What `flux <command>` loads: the entry, the program, and the command's own module. */
function loadedBy(command: string): string[] {
  return staticClosure(main, [
    outputOf(main, 'cli/main.ts'),
    outputOf(main, 'cli/program.ts'),
    outputOf(main, `cli/commands/${command}.ts`),
  ]);
}

beforeAll(async () => {
  [main, hook] = await Promise.all([metafile(mainOptions(outdir)), metafile(hookOptions(outdir))]);
}, 120_000);

describe('the bundle', () => {
  it('flux ui loads Ink and React', () => {
    const inputs = loadedBy('ui');
    expect(inputs.some((input) => input.includes('node_modules/ink/'))).toBe(true);
    expect(inputs.some((input) => input.includes('node_modules/react/'))).toBe(true);
  });

  // `permission` is the module of `flux approve` and `flux deny`.
  it.each(['status', 'run', 'verify', 'merge', 'resume', 'permission', 'attach'])(
    'the module of flux %s loads none of them',
    (command) => {
      expect(loadedBy(command).filter((input) => UI_PACKAGE.test(input))).toEqual([]);
    },
  );

  it('the CLI starting up loads none of them', () => {
    const startup = staticClosure(main, [outputOf(main, 'cli/main.ts'), outputOf(main, 'cli/program.ts')]);
    expect(startup.length).toBeGreaterThan(0);
    expect(startup.filter((input) => UI_PACKAGE.test(input) || input.includes('src/cli/ui/'))).toEqual([]);
  });

  it('the hook path (dist/bin/hook.js) holds none of them, in any form', () => {
    const inputs = Object.values(hook.outputs).flatMap((out) => Object.keys(out.inputs));
    expect(inputs.length).toBeGreaterThan(0);
    expect(inputs.filter((input) => UI_PACKAGE.test(input) || input.includes('src/cli/ui/'))).toEqual([]);
  });

  it('Ink and React are bundled (so they are devDependencies): nothing but Node built-ins stays outside', () => {
    const externals = new Set(
      Object.values(main.outputs).flatMap((out) =>
        out.imports.filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path),
      ),
    );
    // Ink's React DevTools bridge (only with DEV=true) is an empty module: react-devtools-core and ws are not bundled.
    expect([...externals]).toEqual([]);
    const inputs = Object.keys(main.inputs);
    expect(inputs.some((input) => input.includes('node_modules/ink/'))).toBe(true);
    expect(inputs.filter((input) => /node_modules\/(react-devtools-core|ws)\//.test(input))).toEqual([]);
  });
});
