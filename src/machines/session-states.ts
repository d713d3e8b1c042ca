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

/** The machine's final states: a session in one is over, whatever its process does (a test checks the machine agrees). */
export const FINAL_SESSION_STATES: readonly SessionStatus[] = ['ended', 'crashed'];

/** Whether a session in `status` is over (ended or crashed). */
export function sessionOver(status: string): boolean {
  return (FINAL_SESSION_STATES as readonly string[]).includes(status);
}
