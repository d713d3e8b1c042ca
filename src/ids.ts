/**
 * Stage ids (and task ids) end up in branch names, paths and tmux session
 * names: the one pattern every layer holds them to. The plan explains a
 * refused id (`src/plan/stage-id.ts`); a task id is checked against it too.
 */
export const STAGE_ID_PATTERN = /^[a-z0-9_][a-z0-9._-]*$/;
export const STAGE_ID_MAX_LENGTH = 64;
