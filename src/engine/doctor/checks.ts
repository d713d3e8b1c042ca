/**
 * `flux doctor`'s checks, pure: given the facts, what is fine, what to fix
 * and the command that fixes it. The agent's own checks are in claude.ts.
 */
import path from 'node:path';
import { agentChecks, claudeReadiness } from './claude.js';
import { hostChecks } from './hosts.js';
import type { Check, ClaudeFacts, DoctorFacts, LockFact, VersionFact, WorkspaceFacts } from './types.js';

export const MIN_GIT = { major: 2, minor: 38 } as const;
export const MIN_TMUX = { major: 3, minor: 2 } as const;

const GIT_INSTALL = 'install git 2.38 or newer (apt-get install git, or brew install git)';
const TMUX_INSTALL =
  'install tmux 3.2 or newer: apt-get install tmux (Debian, Ubuntu) or brew install tmux (macOS)';

/** `git version 2.39.5` → {2, 39}; `tmux 3.3a` → {3, 3}; null when no version is in it (`tmux master`). */
export function parseMajorMinor(output: string): { major: number; minor: number } | null {
  const match = /(\d+)\.(\d+)/.exec(output);
  return match === null ? null : { major: Number(match[1]), minor: Number(match[2]) };
}

function toolCheck(
  id: 'git' | 'tmux',
  fact: VersionFact,
  min: { major: number; minor: number },
  install: string,
): Check {
  const needs = `Flux needs ${min.major}.${min.minor} or newer`;
  if (!fact.found)
    return { group: 'tools', id, status: 'fail', summary: `${id}: ${fact.error}`, fix: install };
  const version = parseMajorMinor(fact.output);
  const shown = fact.output.replace(/^git version /, '').replace(/^tmux /, '');
  // Builds from a source tree report `tmux next-3.4` or `tmux master`: trusted, as Flux trusts them.
  const old =
    version !== null &&
    (version.major < min.major || (version.major === min.major && version.minor < min.minor));
  if (old)
    return {
      group: 'tools',
      id,
      status: 'fail',
      summary: `${id} ${shown} is too old: ${needs}`,
      fix: install,
    };
  return { group: 'tools', id, status: 'ok', summary: `${id} ${shown} (${needs})` };
}

export function toolChecks(facts: Pick<DoctorFacts, 'git' | 'tmux'>): Check[] {
  return [
    toolCheck('git', facts.git, MIN_GIT, GIT_INSTALL),
    toolCheck('tmux', facts.tmux, MIN_TMUX, TMUX_INSTALL),
  ];
}

const work = (root: string, file: string) => path.relative(root, file) || file;

/** A lock file whose holder is gone (or that names none and is older than a few seconds) is stale. */
const UNNAMED_LOCK_GRACE_MS = 5_000;

function staleLocks(ws: WorkspaceFacts): LockFact[] {
  return ws.locks.filter((lock) =>
    lock.pid === null ? ws.now - lock.since > UNNAMED_LOCK_GRACE_MS : lock.alive === false,
  );
}

function lockCheck(ws: WorkspaceFacts, root: string): Check {
  const stale = staleLocks(ws);
  const base = { group: 'workspace' as const, id: 'workspace.locks' };
  if (stale.length === 0) {
    const held = ws.locks
      .filter((lock) => lock.alive === true)
      .map((lock) => `${lock.name} (pid ${lock.pid})`);
    return {
      ...base,
      status: 'ok',
      summary: held.length === 0 ? 'no stale lock' : `no stale lock; held now: ${held.join(', ')}`,
    };
  }
  return {
    ...base,
    status: 'fail',
    summary: `stale lock${stale.length === 1 ? '' : 's'}: ${stale.map((lock) => lock.name).join(', ')}`,
    details: stale.map((lock) =>
      lock.pid === null
        ? `${work(root, lock.file)} names no holder`
        : `${work(root, lock.file)} is held by pid ${lock.pid}, which is gone`,
    ),
    fix: `rm ${stale.map((lock) => work(root, lock.file)).join(' ')}`,
  };
}

function tmuxArgs(socket: string | undefined): string {
  return socket === undefined ? 'tmux' : `tmux -L ${socket}`;
}

/** What is left of stages that are gone: a `flux/*` branch, a `.worktrees/*` folder or a `flux-*` tmux session of none. */
function orphanCheck(ws: WorkspaceFacts): Check {
  const branches = ws.branches.filter((b) => !ws.known.branches.includes(b));
  const worktrees = ws.worktreeDirs.filter((d) => !ws.known.worktreeDirs.includes(d));
  const sessions = (ws.tmuxSessions ?? []).filter((s) => !ws.known.liveTmux.includes(s));
  const base = { group: 'workspace' as const, id: 'workspace.orphans' };
  if (branches.length + worktrees.length + sessions.length === 0) {
    const unasked = ws.tmuxSessions === null ? ' (tmux sessions not checked: tmux could not be asked)' : '';
    return { ...base, status: 'ok', summary: `no orphan worktree, branch or tmux session${unasked}` };
  }
  const details = [
    ...worktrees.map((d) => `worktree .worktrees/${d}: no stage of that id`),
    ...branches.map((b) => `branch ${b}: no stage of that id`),
    ...sessions.map((s) => `tmux session ${s}: no live session of Flux's runs in it`),
  ];
  const fixes = [
    ...(worktrees.length > 0 ? ['flux worktree clean'] : []),
    ...branches.map((b) => `git branch -d ${b}`),
    ...sessions.map((s) => `${tmuxArgs(ws.tmuxSocket)} kill-session -t '=${s}'`),
  ];
  return {
    ...base,
    status: 'fail',
    summary: `orphans: ${[
      worktrees.length > 0 ? `${worktrees.length} worktree${worktrees.length === 1 ? '' : 's'}` : '',
      branches.length > 0 ? `${branches.length} branch${branches.length === 1 ? '' : 'es'}` : '',
      sessions.length > 0 ? `${sessions.length} tmux session${sessions.length === 1 ? '' : 's'}` : '',
    ]
      .filter((part) => part !== '')
      .join(', ')}`,
    details,
    // `git branch -d` refuses a branch with unmerged commits: -D drops them, knowingly.
    fix: fixes.join('; '),
  };
}

function supervisorCheck(ws: WorkspaceFacts): Check {
  const base = { group: 'workspace' as const, id: 'workspace.supervisor' };
  const s = ws.supervisor;
  if (s.running)
    return {
      ...base,
      status: 'ok',
      summary: `supervisor running: pid ${s.pid}, since ${s.since} (Flux ${s.version})`,
    };
  if (s.leftoverPid !== null)
    return {
      ...base,
      status: 'ok',
      summary: `no supervisor running (the record of pid ${s.leftoverPid}, which is gone, is replaced by the next one)`,
    };
  return { ...base, status: 'ok', summary: 'no supervisor running' };
}

export function workspaceChecks(ws: WorkspaceFacts): Check[] {
  const base = { group: 'workspace' as const };
  if (ws.root === null)
    return [
      {
        ...base,
        id: 'workspace.log',
        status: 'skip',
        summary: 'not inside a git repository: no workspace to check',
      },
    ];
  const root = ws.root;
  if (!ws.present) {
    if (ws.configWithoutLog)
      return [
        {
          ...base,
          id: 'workspace.log',
          status: 'fail',
          summary: '.work/config.toml has no event log beside it: no command can use it yet',
          fix: 'flux task init',
        },
      ];
    return [
      {
        ...base,
        id: 'workspace.log',
        status: 'skip',
        summary: 'no workspace (.work/) here yet: `flux init <plan>` or `flux task init` makes one',
      },
    ];
  }
  const checks: Check[] = [];
  if (ws.configError !== null)
    checks.push({
      ...base,
      id: 'workspace.config',
      status: 'fail',
      summary: ws.configError.message,
      fix: ws.configError.hint ?? 'edit .work/config.toml (docs/config.md lists every setting)',
    });
  else checks.push({ ...base, id: 'workspace.config', status: 'ok', summary: '.work/config.toml reads' });
  if (ws.log !== null) {
    checks.push(
      ws.log.ok
        ? { ...base, id: 'workspace.log', status: 'ok', summary: `the log replays (${ws.log.events} events)` }
        : {
            ...base,
            id: 'workspace.log',
            status: 'fail',
            summary: ws.log.message,
            fix: ws.log.hint ?? 'flux replay (shows where it stops)',
          },
    );
  }
  checks.push(lockCheck(ws, root), orphanCheck(ws), supervisorCheck(ws));
  return checks;
}

/** Every check, in the order `flux doctor` shows them. */
export function doctorChecks(facts: DoctorFacts, home: string | undefined): Check[] {
  return [
    ...toolChecks(facts),
    ...agentChecks(facts.agent, home),
    ...workspaceChecks(facts.workspace),
    ...hostChecks(facts.hosts),
  ];
}

/** Something to fix: exit 1. */
export const needsFixing = (checks: readonly Check[]): boolean => checks.some((c) => c.status === 'fail');

/** What stops a claude session before it starts (for `flux run`): the failed readiness checks. */
export function claudeBlockers(facts: ClaudeFacts, home: string | undefined): Check[] {
  return claudeReadiness(facts, home).filter((c) => c.status === 'fail');
}
