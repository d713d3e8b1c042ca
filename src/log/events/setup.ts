/**
 * Worktree setup: a new worktree is made a working copy before its agent
 * starts, the ignored files `.worktreeinclude` and `[worktree] copy` name are
 * copied in, then the setup commands run (docs/setup.md).
 */
import { z } from 'zod';
import { event, sessionId, stageId } from './envelope.js';
import { acceptanceResultSchema } from './stage.js';

/** The setup begins; its commands' output goes to `log`. */
export const setupStarted = event('setup.started', {
  stage: stageId,
  session: sessionId,
  /** The plan's `setup`, then the stage's (an ad hoc task: `[task] setup`). */
  commands: z.array(z.string()),
  /** The full output, relative to `.work/`. */
  log: z.string(),
});

/** The setup is over: `passed`, or the stage fails with the command that did not (`stage.failed` follows). */
export const setupFinished = event('setup.finished', {
  stage: stageId,
  session: sessionId,
  /** What was copied, relative to the repository root (folders end with `/`). */
  copied: z.array(z.string()),
  /** One per command run; a failed one is the last. */
  results: z.array(acceptanceResultSchema),
  passed: z.boolean(),
  /** Why the setup could not run at all (the copy failed, a file could not be read). */
  error: z.string().optional(),
});
