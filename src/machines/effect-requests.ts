/**
 * What the machines ask the outside world to do. A machine never performs
 * these: `transition()` returns them as actions, the engine appends the
 * events first and then hands the requests to `src/effects`.
 */
export type EffectRequest =
  /** Create (or re-attach) the stage's worktree and branch, write its signal, start its agent. */
  | { type: 'launchSession'; params: { stage: string; session: string } }
  /** End the agent session that was working on the stage (its tmux session). */
  | { type: 'endSession'; params: { stage: string; session: string | null } }
  /** A completed stage waits for its gate: automatic stages are verified at once. */
  | { type: 'requestVerification'; params: { stage: string } }
  /** Merge the stage's branch into the base branch. */
  | { type: 'mergeStage'; params: { stage: string } }
  /** After a merge: remove the worktree and branch, make dependents ready. */
  | { type: 'cleanupStage'; params: { stage: string } }
  | { type: 'readyDependents'; params: { stage: string } }
  /** Tell the agent why its work was rejected (a fresh session carries the reason). */
  | { type: 'sendFeedback'; params: { stage: string; reason: string } };

export type EffectType = EffectRequest['type'];
