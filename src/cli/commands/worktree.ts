/**
 * `flux worktree [list] [--json]`: every worktree under `.worktrees/`, with
 * its stage, branch, state, uncommitted files, commits ahead of the base
 * branch and whether it is merged. `flux worktree clean`: removes the
 * worktrees of merged stages and of stages no longer in the plan, only when
 * nothing in them is uncommitted or unmerged, and says what it kept and why.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { WorktreeInfo } from '../../effects/git.js';
import { Runtime } from '../../engine/runtime.js';
import type { FluxState } from '../../engine/state.js';
import { cleanVerdict } from '../../engine/verify.js';
import { ExitCode, FluxError } from '../../errors.js';
import { STAGE_BRANCH_PREFIX, WORKTREES_DIR_NAME } from '../../paths.js';
import { paint, paintStatus, print, printJson, table } from '../output.js';

interface WorktreeRow {
  /** The directory name under `.worktrees/`. */
  name: string;
  path: string;
  /** In the plan; null when no stage has this name. */
  stage: string | null;
  /** The stage's state, or null. */
  state: string | null;
  branch: string | null;
  /** Registered with git. */
  registered: boolean;
  /** Registered, but its directory is gone. */
  missing: boolean;
  uncommitted: number | null;
  ahead: number | null;
  merged: boolean | null;
}

function worktreesDir(runtime: Runtime): string {
  const dir = path.join(runtime.root, WORKTREES_DIR_NAME);
  return existsSync(dir) ? realpathSync(dir) : dir;
}

async function gather(runtime: Runtime, state: FluxState): Promise<WorktreeRow[]> {
  const dir = worktreesDir(runtime);
  const base = runtime.baseBranch(state);
  const byName = new Map<string, WorktreeInfo | null>();
  for (const worktree of await runtime.git.listWorktrees()) {
    if (!worktree.main && path.dirname(worktree.path) === dir)
      byName.set(path.basename(worktree.path), worktree);
  }
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      if (!byName.has(name) && statSync(path.join(dir, name)).isDirectory()) byName.set(name, null);
    }
  }
  const rows: WorktreeRow[] = [];
  for (const [name, info] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    const stage = state.stages[name];
    const file = info?.path ?? path.join(dir, name);
    const missing = info !== null && (info.prunable || !existsSync(file));
    const branch = info?.branch ?? null;
    const hasBranch = branch !== null && (await runtime.git.branchExists(branch));
    rows.push({
      name,
      path: file,
      stage: stage === undefined ? null : stage.id,
      state: stage === undefined ? null : stage.status,
      branch,
      registered: info !== null,
      missing,
      uncommitted: info === null || missing ? null : (await runtime.git.status(file)).length,
      ahead: hasBranch ? (await runtime.git.aheadBehind(branch, base)).ahead : null,
      merged: hasBranch ? await runtime.git.isMerged(branch, base) : null,
    });
  }
  return rows;
}

const cell = (value: number | null): string => (value === null ? '-' : String(value));

export async function run(options: { json?: boolean }): Promise<number> {
  const runtime = Runtime.open();
  const state = runtime.engine.load();
  const rows = await gather(runtime, state);
  if (options.json === true) {
    printJson(rows);
    return ExitCode.ok;
  }
  if (rows.length === 0) {
    print(`No worktrees under ${WORKTREES_DIR_NAME}/.`);
    return ExitCode.ok;
  }
  const base = runtime.baseBranch(state);
  print(`Worktrees under ${WORKTREES_DIR_NAME}/ (AHEAD: commits not in ${base}):`);
  // A worktree is named after its stage (`.worktrees/<stage>`), so the table has no STAGE
  // column: STATE says when no stage has the name (--json has both).
  print(
    table(
      ['WORKTREE', 'BRANCH', 'STATE', 'UNCOMMITTED', 'AHEAD', 'MERGED'],
      rows.map((row) => [
        row.name,
        row.branch ?? (row.registered ? '(detached)' : '-'),
        !row.registered
          ? paint('not a git worktree', 'yellow')
          : row.missing
            ? paint('directory missing', 'yellow')
            : row.state === null
              ? paint('not in the plan', 'yellow')
              : paintStatus(row.state),
        cell(row.uncommitted),
        cell(row.ahead),
        row.merged === null ? '-' : row.merged ? 'yes' : 'no',
      ]),
      // The branch is flux/<stage>: it gives up room first, then the name.
      { shrink: [[1], [0]] },
    ),
  );
  return ExitCode.ok;
}

export async function clean(): Promise<number> {
  const runtime = Runtime.open();
  const state = runtime.engine.load();
  const base = runtime.baseBranch(state);
  const rows = await gather(runtime, state);
  const removed: string[] = [];
  const kept: string[] = [];
  for (const row of rows) {
    const shown = `${WORKTREES_DIR_NAME}/${row.name}`;
    const verdict = cleanVerdict(state, { name: row.name, registered: row.registered, branch: row.branch });
    if (!verdict.remove || row.branch === null) {
      kept.push(`${shown}: ${verdict.why}`);
      continue;
    }
    try {
      await runtime.git.removeWorktree(row.path, { branch: row.branch, base });
      let branchNote = '';
      if (row.branch.startsWith(STAGE_BRANCH_PREFIX)) {
        const { deleted } = await runtime.git.deleteBranch(row.branch, { base });
        if (deleted) branchNote = `; deleted branch ${row.branch}`;
      }
      removed.push(
        `${shown} (${verdict.why}${row.missing ? ', its directory was already gone' : ''}${branchNote})`,
      );
    } catch (error) {
      if (!(error instanceof FluxError)) throw error;
      kept.push(`${shown}: ${error.message}`);
    }
  }
  // Branches of merged stages left without a worktree.
  for (const id of state.order) {
    const branch = runtime.branchName(id);
    if (state.stages[id]!.status !== 'merged' || rows.some((row) => row.branch === branch)) continue;
    if (!(await runtime.git.branchExists(branch))) continue;
    try {
      if ((await runtime.git.deleteBranch(branch, { base })).deleted)
        removed.push(`branch ${branch} (stage ${id} is merged)`);
    } catch (error) {
      if (!(error instanceof FluxError)) throw error;
      kept.push(`branch ${branch}: ${error.message}`);
    }
  }
  if (removed.length === 0 && kept.length === 0) {
    print(`Nothing to clean: no worktrees under ${WORKTREES_DIR_NAME}/.`);
    return ExitCode.ok;
  }
  print(removed.length === 0 ? 'Removed nothing.' : 'Removed:');
  for (const line of removed) print(`  ${line}`);
  if (kept.length > 0) {
    print('Kept:');
    for (const line of kept) print(`  ${line}`);
  }
  return ExitCode.ok;
}
