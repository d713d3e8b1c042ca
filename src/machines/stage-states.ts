/** The states of the stage lifecycle (src/machines/stage.ts), without XState. */
export const STAGE_STATES = [
  'pending',
  'ready',
  'running',
  'needs_handoff',
  'completed',
  'verified',
  'merged',
  'failed',
  'blocked',
  'rejected',
] as const;

export type StageStatus = (typeof STAGE_STATES)[number];
