/**
 * `flux task cleanup <id> [--commit | --stash | --abort]`: merge an ad hoc
 * task's branch into the branch checked out in the main worktree (`--no-ff`),
 * then end its pane or session, remove its worktree and delete its branch.
 *
 * Uncommitted work in the task's worktree is never lost: on a terminal Flux
 * asks whether to commit it, stash it or stop; without one a flag says so
 * (no flag: exit 64). A merge that conflicts is aborted and everything is
 * kept (exit 8). In the log the task goes through the stage lifecycle:
 * completed (forced, unless its agent ran `flux done`), verified, then merged
 * or merge_failed.
 */
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { settle } from '../../engine/decide.js';
import { Runtime } from '../../engine/runtime.js';
import { currentSession, sessionAlive } from '../../engine/state.js';
import { decideTaskClose, requireTask, type TaskState } from '../../engine/task.js';
import { commitEverything, stashEverything } from '../../engine/runtime/tasks.js';
import { ExitCode, FluxError, RefusedError, UsageError } from '../../errors.js';
import type { NewEvent } from '../../log/events.js';
import { paint, print, warn } from '../output.js';
import { humanActor } from '../human-only.js';

export interface CleanupOptions {
  commit?: boolean;
  stash?: boolean;
  abort?: boolean;
}

type Choice = 'commit' | 'stash' | 'abort';

const FLAGS_HINT =
  'choose what happens to them: --commit (commit them on the task branch, then merge), ' +
  '--stash (stash them, then merge the commits), or --abort (stop; nothing changes)';

function listed(files: readonly string[], limit = 8): string {
  const shown = files.slice(0, limit).join(', ');
  return files.length > limit ? `${shown} and ${files.length - limit} more` : shown;
}

async function ask(id: string, worktree: string, dirty: readonly string[]): Promise<Choice> {
  print(`Task ${id} has uncommitted changes in ${worktree}:`);
  for (const file of dirty.slice(0, 12)) print(`  ${file}`);
  if (dirty.length > 12) print(`  … and ${dirty.length - 12} more`);
  print('');
  print('  c  commit them on the task branch, then merge');
  print('  s  stash them (git stash), then merge the commits');
  print('  a  abort: stop here, nothing changes');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    for (;;) {
      const answer = (await rl.question('What should happen to them? [c/s/a] ').catch(() => 'a'))
        .trim()
        .toLowerCase();
      if (['c', 'commit'].includes(answer)) return 'commit';
      if (['s', 'stash'].includes(answer)) return 'stash';
      if (['a', 'abort', 'q', 'quit', 'stop'].includes(answer)) return 'abort';
    }
  } finally {
    rl.close();
  }
}

function choiceFrom(options: CleanupOptions): Choice | undefined {
  if (options.commit === true) return 'commit';
  if (options.stash === true) return 'stash';
  if (options.abort === true) return 'abort';
  return undefined;
}

export async function run(id: string, options: CleanupOptions): Promise<number> {
  const runtime = Runtime.open();
  const state = runtime.engine.load();
  const task = requireTask(state, id);
  if (task.status === 'merged') return finishMerged(runtime, task);

  const { worktree, branch } = task.task;
  const target = await runtime.git.currentBranch();
  if (target === null) {
    throw new RefusedError(
      `the main worktree ${runtime.root} is on a detached HEAD: there is no branch to merge ${id} into`,
      `check out the branch the task should go into (git switch <branch>), then run \`flux task cleanup ${id}\` again`,
    );
  }
  // Uncommitted work in the task's worktree: commit, stash, or stop.
  if (existsSync(worktree)) {
    const dirty = (await runtime.git.status(worktree)).map((file) => file.path);
    if (dirty.length > 0) {
      let choice = choiceFrom(options);
      if (choice === undefined) {
        if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
          throw new UsageError(
            `task ${id} has uncommitted changes in ${worktree}: ${listed(dirty)}`,
            `${FLAGS_HINT}, e.g. \`flux task cleanup ${id} --commit\``,
          );
        }
        choice = await ask(id, worktree, dirty);
      }
      if (choice === 'abort') {
        print(
          `Stopped: task ${id} is unchanged (its worktree keeps its uncommitted changes; nothing was merged or removed).`,
        );
        return ExitCode.refused;
      }
      if (choice === 'commit') {
        const commit = await runtime.act(() =>
          commitEverything(worktree, `${id}: work left uncommitted at cleanup`),
        );
        print(`Committed ${dirty.length} file(s) on ${branch}: ${commit.slice(0, 12)}`);
      } else {
        const stash = await runtime.act(() =>
          stashEverything(worktree, `flux task ${id}: uncommitted at cleanup`),
        );
        print(
          `Stashed ${dirty.length} file(s): ${stash.slice(0, 12)} (\`git stash list\` shows it; \`git stash apply ${stash.slice(0, 12)}\` brings it back).`,
        );
      }
    }
  }

  const session = currentSession(state, task);
  if (sessionAlive(session) && session!.status === 'working')
    print(paint(`Note: its agent (${session!.id}) is still working; it is ended after the merge.`, 'dim'));

  // Completed (forced) and verified by the person cleaning up, then merged by the runtime.
  runtime.engine.commit((current) => decideTaskClose(current, id, humanActor()));
  const branchExists = await runtime.git.branchExists(branch);
  const ahead = branchExists ? await runtime.git.commitsAhead(branch, target) : [];
  if (ahead.length > 0) print(`Merging ${branch} into ${target} (${ahead.length} commit(s))…`);
  else
    print(
      branchExists
        ? `Nothing to merge: ${branch} has no commits that ${target} lacks.`
        : `Nothing to merge: the branch ${branch} does not exist.`,
    );
  // Its cleanup is this command's last step, reported below, not a follow-up of the merge.
  runtime.deferCleanups = true;
  const outcome = await runtime.merge(id, target);
  for (const note of outcome.notes) print(paint(note, 'dim'));
  if (outcome.kind === 'conflict') {
    throw new FluxError(
      `task ${id} was not merged: merging ${branch} into ${target} conflicts in ${outcome.conflicts.join(', ')}; ${target} is unchanged`,
      ExitCode.mergeConflict,
      [
        `the worktree ${worktree} and the branch ${branch} are kept. Resolve the conflicts there, then clean up again:`,
        `  cd ${worktree}`,
        `  git merge ${target}          # stops on the same conflicts`,
        `  (edit the files) git add <files> && git commit`,
        `  flux task cleanup ${id}`,
      ].join('\n'),
    );
  }
  if (outcome.kind === 'refused')
    throw new RefusedError(`task ${id} was not merged: ${outcome.reason}`, outcome.hint || undefined);
  if (outcome.kind === 'merged')
    print(paint(`Merged ${branch} into ${target}: ${outcome.commit.slice(0, 12)}`, 'green'));
  return removeWhatIsLeft(runtime, id);
}

/** After the merge: the agent's session, its pane or tmux session, the worktree, the branch. */
async function removeWhatIsLeft(runtime: Runtime, id: string): Promise<number> {
  const task = requireTask(runtime.engine.load(), id);
  const { worktree, branch } = task.task;
  runtime.engine.commit((current) => {
    const events: NewEvent[] = task.sessions
      .filter((s) => sessionAlive(current.sessions[s] ?? null))
      .map((s) => ({ type: 'session.ended', session: s, reason: 'task cleaned up' }));
    return settle(current, events);
  });
  const report = await runtime.cleanup(id);
  if (report.kept !== null) {
    warn(report.kept);
    warn(
      `it is merged, so nothing is lost; remove what is left by hand (git worktree remove ${worktree}; git branch -d ${branch})`,
    );
  }
  if (report.done.length > 0) print(`${report.done.join(', ')}.`.replace(/^./, (c) => c.toUpperCase()));
  print(
    report.kept !== null
      ? `Task ${id} is merged; its worktree or branch was kept (see above).`
      : `Task ${id} is cleaned up.`,
  );
  return ExitCode.ok;
}

/** A task merged earlier: only what is left of it (a worktree or branch an earlier cleanup could not remove). */
async function finishMerged(runtime: Runtime, task: TaskState): Promise<number> {
  const { worktree, branch } = task.task;
  const leftover = existsSync(worktree) || (await runtime.git.branchExists(branch));
  if (!leftover) {
    print(
      `Task ${task.id} is already merged${task.mergedCommit === null ? '' : ` (${task.mergedCommit.slice(0, 12)})`} and cleaned up. Nothing to do.`,
    );
    return ExitCode.ok;
  }
  return removeWhatIsLeft(runtime, task.id);
}
