#!/usr/bin/env node
// Installs the real Claude Code CLI into .cache/claude-code/ for the end-to-end
// suite. It is deliberately not a dependency of the project: it is large (a
// native binary in a platform package) and only the e2e tests need it.
//
// Usage: node scripts/install-claude.mjs [--version X.Y.Z] [--quiet]
// Env:   FLUX_CLAUDE_VERSION overrides the pinned version.
// Prints the absolute path of the `claude` binary on stdout (last line).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// 2.1.197 is the version the project's findings were made with. Newer releases
// declare engines.node >= 22 (the binary itself is native and does not care,
// but the pin keeps the findings reproducible).
const PINNED_VERSION = '2.1.197';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(repoRoot, '.cache', 'claude-code');
const binPath = join(cacheDir, 'node_modules', '.bin', 'claude');
const pkgJsonPath = join(cacheDir, 'node_modules', '@anthropic-ai', 'claude-code', 'package.json');

function parseArgs(argv) {
  const opts = { version: process.env.FLUX_CLAUDE_VERSION || PINNED_VERSION, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--version') opts.version = argv[++i];
    else if (argv[i] === '--quiet') opts.quiet = true;
    else throw new Error(`unknown argument: ${argv[i]}`);
  }
  return opts;
}

function installedVersion() {
  if (!existsSync(pkgJsonPath) || !existsSync(binPath)) return undefined;
  try {
    return JSON.parse(readFileSync(pkgJsonPath, 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** The binary must actually run: a missing platform package leaves a stub behind. */
function binaryReports(version) {
  try {
    const out = execFileSync(binPath, ['--version'], {
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
    });
    return out.includes(version);
  } catch {
    return false;
  }
}

function install(version, quiet) {
  mkdirSync(cacheDir, { recursive: true });
  // A private package.json keeps npm from walking up into the project's own.
  writeFileSync(
    join(cacheDir, 'package.json'),
    JSON.stringify({ name: 'flux-claude-code-cache', private: true, dependencies: {} }, null, 2) + '\n',
  );
  const log = (msg) => quiet || process.stderr.write(msg + '\n');
  log(`installing @anthropic-ai/claude-code@${version} into ${cacheDir} ...`);
  execFileSync(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      '--save-exact',
      '--loglevel=error',
      `@anthropic-ai/claude-code@${version}`,
    ],
    { cwd: cacheDir, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] },
  );
}

function runPostinstall() {
  const pkgDir = dirname(pkgJsonPath);
  if (existsSync(join(pkgDir, 'install.cjs'))) {
    execFileSync(process.execPath, ['install.cjs'], { cwd: pkgDir, stdio: ['ignore', 'ignore', 'inherit'] });
  }
}

function main() {
  const { version, quiet } = parseArgs(process.argv.slice(2));
  if (installedVersion() === version && binaryReports(version)) {
    if (!quiet) process.stderr.write(`claude ${version} already installed\n`);
  } else {
    install(version, quiet);
    // npm may skip the postinstall that puts the native binary in place
    // (ignore-scripts, or newer npm's allowScripts): run it ourselves then.
    if (!binaryReports(version)) runPostinstall();
    if (installedVersion() !== version || !binaryReports(version)) {
      process.stderr.write(`claude ${version} did not install a working binary at ${binPath}\n`);
      process.exit(1);
    }
  }
  process.stdout.write(binPath + '\n');
}

main();
