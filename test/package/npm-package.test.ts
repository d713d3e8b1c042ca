/**
 * Flux as npm users get it: the tarball `npm pack` makes holds only what
 * runs (the bundle in dist/bin), the docs its README links to, and LICENSE;
 * it declares no runtime dependency (the bundle loads only Node built-ins)
 * and no install script; `npm install -g` of it works offline without a
 * warning, and the installed `flux demo` runs from an unrelated folder. And
 * `npm install` in a clone leaves package-lock.json as it is.
 *
 * Needs `npm run build` first (it packs dist/bin as it is).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { isolatedGitEnv } from '../helpers/temp-repo.js';

const work = mkdtempSync(path.join(tmpdir(), 'flux-package-'));
const cache = path.join(work, 'npm-cache');
const prefix = path.join(work, 'prefix');

/** npm with a cache of its own, never the network. */
function npm(args: readonly string[], cwd: string) {
  return execa('npm', [...args, '--offline', '--no-audit', '--no-fund', '--cache', cache], {
    cwd,
    reject: false,
    env: { npm_config_update_notifier: 'false' },
  });
}

interface Packed {
  filename: string;
  size: number;
  entryCount: number;
  files: Array<{ path: string }>;
}
let packed: Packed;
let files: string[];
const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  dependencies?: Record<string, string>;
  scripts: Record<string, string>;
};

beforeAll(async () => {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'bin', 'main.js')))
    throw new Error('dist/bin/main.js does not exist: run `npm run build` first');
  // --ignore-scripts: pack the build that is there (prepack would rebuild it under other tests).
  const result = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], REPO_ROOT);
  expect(result.exitCode, result.stderr).toBe(0);
  packed = (JSON.parse(result.stdout) as Packed[])[0]!;
  files = packed.files.map((f) => f.path);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the tarball', () => {
  it('holds the bundle, the docs, README and LICENSE, and nothing else', () => {
    for (const file of files)
      expect(file).toMatch(/^(package\.json|README\.md|LICENSE|dist\/bin\/.+|docs\/.+)$/);
    expect(files).toEqual(
      expect.arrayContaining(['LICENSE', 'README.md', 'dist/bin/main.js', 'dist/bin/hook.js', 'docs/cli.md']),
    );
    expect(files.filter((file) => file.startsWith('dist/') && !file.startsWith('dist/bin/'))).toEqual([]);
    expect(readFileSync(path.join(REPO_ROOT, 'LICENSE'), 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) \d{4} The Flux authors\n/,
    );
  });

  it('declares no runtime dependency and no install script; its bin is the bundle', () => {
    expect(manifest.dependencies ?? {}).toEqual({});
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare'])
      expect(manifest.scripts[script], script).toBeUndefined();
    expect(manifest.bin).toEqual({ flux: 'dist/bin/main.js' });
  });

  it('the bundle loads only Node built-ins', () => {
    const dir = path.join(REPO_ROOT, 'dist', 'bin');
    const sources = [
      ...readdirSync(dir).filter((f) => f.endsWith('.js')),
      ...readdirSync(path.join(dir, 'chunks')).map((f) => `chunks/${f}`),
    ];
    const outside = new Set<string>();
    for (const file of sources) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      // Module specifiers that name a package (not ./chunk.js, not text inside a template).
      for (const match of text.matchAll(
        /\b(?:from|import|require)\s*\(?\s*["'](@?[a-z][\w.-]*(?:\/[\w./-]+)?)["']/g,
      ))
        if (!isBuiltin(match[1]!)) outside.add(`${file}: ${match[1]}`);
    }
    expect([...outside]).toEqual([]);
  });

  it('every link of the README points at a file in it', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) {
      const target = link.replace(/\/$/, '');
      expect(
        files.some((file) => file === target || file.startsWith(`${target}/`)),
        link,
      ).toBe(true);
    }
  });
});

describe('npm install -g of the tarball', () => {
  it('installs offline, without a warning, and the installed flux demo runs from any folder', async () => {
    const install = await npm(['install', '-g', '--prefix', prefix, path.join(work, packed.filename)], work);
    expect(install.exitCode, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/warn/i);
    // Flux alone: no dependency came with it.
    const installed = path.join(prefix, 'lib', 'node_modules');
    expect(readdirSync(installed)).toEqual(['flux-cli']);
    expect(existsSync(path.join(installed, 'flux-cli', 'node_modules'))).toBe(false);

    const elsewhere = path.join(work, 'elsewhere');
    mkdirSync(elsewhere);
    const demo = await execa(
      path.join(prefix, 'bin', 'flux'),
      ['demo', '--dir', path.join(elsewhere, 'demo')],
      {
        cwd: elsewhere,
        reject: false,
        env: {
          ...isolatedGitEnv,
          PATH: `${path.join(prefix, 'bin')}:/usr/bin:/bin`,
          NO_COLOR: '1',
          TMUX: '',
        },
      },
    );
    expect(demo.exitCode, `${demo.stdout}\n${demo.stderr}`).toBe(0);
    expect(demo.stdout).toContain('All 4 stages are merged into main.');
    // The installed flux is on PATH: no advice on getting it there.
    expect(demo.stdout).not.toContain('not on your PATH');
  }, 180_000);
});

describe('npm install in a clone', () => {
  it('leaves package-lock.json as it is', async () => {
    const clone = path.join(work, 'clone');
    mkdirSync(clone);
    for (const file of ['package.json', 'package-lock.json'])
      copyFileSync(path.join(REPO_ROOT, file), path.join(clone, file));
    const result = await npm(['install', '--package-lock-only', '--ignore-scripts'], clone);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(path.join(clone, 'package-lock.json'), 'utf8')).toBe(
      readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8'),
    );
  });
});
