// Shared helpers for the benchmarks: temporary repositories, a private tmux
// server, and timing by median over repeated runs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const MAIN = new URL('../dist/bin/main.js', import.meta.url).pathname;

export function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function git(cwd, args) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function flux(cwd, args, env = {}) {
  return execFileSync(process.execPath, [MAIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A git repository holding a plan of the given stages (`gate: auto`), initialised for Flux. */
export function repoWithPlan(stages, { agent = 'sim', agents = '', socket }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'flux-bench-'));
  git(dir, ['init', '--quiet', '--initial-branch=main']);
  git(dir, ['config', 'user.name', 'bench']);
  git(dir, ['config', 'user.email', 'bench@flux.invalid']);
  const yaml = stages
    .map(
      (s) =>
        `    - id: ${s.id}\n      name: ${s.id}\n      dependencies: [${(s.dependencies ?? []).join(', ')}]\n      acceptance: ${JSON.stringify(s.acceptance ?? [])}\n      files: ["${s.id}/*"]\n      gate: ${s.gate ?? 'auto'}`,
    )
    .join('\n');
  mkdirSync(path.join(dir, 'doc/plans'), { recursive: true });
  writeFileSync(
    path.join(dir, 'doc/plans/PLAN.md'),
    `# PLAN: bench\n\n<!-- FLUX METADATA -->\n\n\`\`\`yaml\nflux:\n  version: 1\n  stages:\n${yaml}\n\`\`\`\n\n<!-- END FLUX METADATA -->\n`,
  );
  git(dir, ['add', '-A']);
  git(dir, ['commit', '--quiet', '-m', 'plan']);
  flux(dir, ['init', 'doc/plans/PLAN.md']);
  const config = path.join(dir, '.work/config.toml');
  writeFileSync(
    config,
    readFileSync(config, 'utf8')
      .replace('agent = "claude"', `agent = "${agent}"`)
      .replace('socket = ""', `socket = "${socket}"`) + agents,
  );
  return dir;
}

/** Ends a private tmux server, then gives its agents' wrappers a moment to record their end. */
export function killTmux(socket) {
  try {
    execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
    execFileSync('sleep', ['1']);
  } catch {
    // no server left
  }
}

export function cleanup(dir) {
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

/** The raw commands a session start stands on: `git worktree add` + `tmux new-session`; returns ms. */
export function rawStart(dir, socket, name) {
  const t = performance.now();
  git(dir, ['worktree', 'add', '--quiet', '-b', `raw/${name}`, path.join(dir, '.worktrees', name)]);
  execFileSync('tmux', [
    '-L',
    socket,
    'new-session',
    '-d',
    '-s',
    name,
    '-c',
    path.join(dir, '.worktrees', name),
    '--',
    'sleep',
    '600',
  ]);
  return performance.now() - t;
}

/** A command agent that only waits: sessions that live without doing anything. */
export const IDLE_AGENT = '\n[agents.idle]\ncommand = ["sleep", "600"]\n';
