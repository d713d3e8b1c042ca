/** The states of the session lifecycle (src/machines/session.ts), without XState. */
export const SESSION_STATES = [
  'starting',
  'working',
  'idle',
  'waiting_permission',
  'handing_off',
  'ended',
  'crashed',
] as const;

export type SessionStatus = (typeof SESSION_STATES)[number];
