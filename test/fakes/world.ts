/**
 * In-memory git and tmux for specifications of the runtime and the monitor:
 * branches, worktrees and sessions as maps, merges that land or conflict as
 * the test says, and every call that would change the world written to
 * `calls`, so a specification can say what was done — or that nothing was.
 * A method the fake does not model throws, so a test cannot pass by
 * touching something it never described.
 */
import type { Git, MergeOutcome, MergeRequest } from '../../src/effects/git.js';
import type { Tmux } from '../../src/effects/tmux.js';
import { RefusedError } from '../../src/errors.js';

export interface FakeWorld {
  git: Git;
  tmux: Tmux;
  /** `branch` → head commit. */
  branches: Map<string, string>;
  /** Worktree path → branch. */
  worktrees: Map<string, string>;
  /** Uncommitted files by worktree path. */
  dirty: Map<string, string[]>;
  sessions: Set<string>;
  /** How the next merge of a branch ends (default: merged as `m-<branch>`). */
  mergeOutcomes: Map<string, MergeOutcome>;
  /** What changed the world, in order: `git.merge flux/a→main`, `tmux.kill flux-a`, … */
  calls: string[];
}

function strict<T extends object>(name: string, implemented: Partial<T>): T {
  return new Proxy(implemented, {
    get(target, key, receiver) {
      if (key in target) return Reflect.get(target, key, receiver);
      if (typeof key === 'symbol' || key === 'then') return undefined;
      return () => {
        throw new Error(`fake ${name}: ${String(key)} is not modelled`);
      };
    },
  }) as T;
}

export function fakeWorld(root = '/repo'): FakeWorld {
  const world: FakeWorld = {
    branches: new Map(),
    worktrees: new Map(),
    dirty: new Map(),
    sessions: new Set(),
    mergeOutcomes: new Map(),
    calls: [],
    git: undefined as unknown as Git,
    tmux: undefined as unknown as Tmux,
  };
  const merged = new Set<string>();
  world.git = strict<Git>('git', {
    root,
    branchExists: async (name: string) => world.branches.has(name),
    branchCommit: async (name: string) => world.branches.get(name) ?? (name === 'main' ? 'base' : ''),
    // The forecast: clean unless the next merge of the branch is set to conflict.
    predictMerge: async (_base: string, branch: string) => {
      const outcome = world.mergeOutcomes.get(branch);
      return outcome?.kind === 'conflict'
        ? { clean: false, conflicts: outcome.conflicts, messages: [] }
        : { clean: true, conflicts: [], messages: [] };
    },
    headCommit: async (dir?: string) =>
      world.branches.get(world.worktrees.get(dir ?? root) ?? 'main') ?? 'base',
    status: async (dir?: string) =>
      (world.dirty.get(dir ?? root) ?? []).map((path) => ({ path, code: ' M', untracked: false })),
    isMerged: async (branch: string) => merged.has(branch),
    commitsAhead: async () => [],
    merge: async (request: MergeRequest): Promise<MergeOutcome> => {
      world.calls.push(`git.merge ${request.branch}→${request.base}`);
      const outcome = world.mergeOutcomes.get(request.branch) ?? {
        kind: 'merged',
        commit: `m-${request.branch}`,
        notes: [],
      };
      if (outcome.kind === 'merged' || outcome.kind === 'already-merged') merged.add(request.branch);
      return outcome;
    },
    removeIntegration: async () => {
      world.calls.push('git.removeIntegration');
    },
    removeWorktree: async (path: string, options: { branch: string; base: string }) => {
      if (!world.worktrees.has(path)) return { removed: false };
      if ((world.dirty.get(path) ?? []).length > 0)
        throw new RefusedError(
          `worktree ${path} has uncommitted changes: ${world.dirty.get(path)!.join(', ')}`,
        );
      if (!merged.has(options.branch)) throw new RefusedError(`branch '${options.branch}' is not merged`);
      world.calls.push(`git.removeWorktree ${path}`);
      world.worktrees.delete(path);
      return { removed: true };
    },
    deleteBranch: async (branch: string) => {
      if (!world.branches.has(branch)) return { deleted: false };
      world.calls.push(`git.deleteBranch ${branch}`);
      world.branches.delete(branch);
      return { deleted: true };
    },
  });
  world.tmux = strict<Tmux>('tmux', {
    listSessions: async () => [...world.sessions].map((name) => ({ name, paneDead: false })) as never,
    listPanes: async () => [],
    killSession: async (name: string) => {
      if (!world.sessions.has(name)) return false;
      world.calls.push(`tmux.kill ${name}`);
      world.sessions.delete(name);
      return true;
    },
  });
  return world;
}
