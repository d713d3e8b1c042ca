/**
 * The ad hoc task's event (`flux task run`): a stage outside the plan, with
 * its own worktree, branch and tmux placement.
 */
import { z } from 'zod';
import { event } from './envelope.js';
import { stageDefSchema } from './plan.js';

/**
 * `flux task run`: an ad hoc task, a stage outside the plan with a worktree,
 * branch and tmux placement of its own. It goes through the same stage and
 * session lifecycles as a plan's stages (`stage.ready`, `stage.started`, …).
 */
export const taskCreated = event('task.created', {
  /** The task as a stage: no dependencies, the `[task]` acceptance commands, gate human. */
  task: stageDefSchema,
  /** Absolute path of its worktree. */
  worktree: z.string().min(1),
  branch: z.string().min(1),
  /** The branch (or commit, on a detached HEAD) it forked from. */
  base: z.string().min(1),
  /** Where its agent runs: a pane next to the person's (inside tmux) or a detached session. */
  placement: z.enum(['pane', 'session']),
  /** The detached tmux session's name (also where a resumed task runs when its pane is gone). */
  tmux_session: z.string().min(1),
});
