/**
 * The human-only commands (approving, rejecting, merging, forcing or
 * discarding work, answering permission questions) refuse to run inside one
 * of Flux's agent sessions: the gate a stage passes is a person's. The check
 * runs once, before the command (src/cli/program.ts); docs/security.md says
 * what it covers.
 */
import { Engine } from '../engine/engine.js';
import { callerOf } from '../engine/runtime/standalone.js';
import { findWorkspace, type Workspace } from '../engine/workspace.js';
import { NotInitializedError, RefusedError } from '../errors.js';

let checked = false;

function workspaceOrNull(cwd: string): Workspace | null {
  try {
    return findWorkspace(cwd);
  } catch (error) {
    // No workspace: no session either; the command itself says what is missing.
    if (error instanceof NotInitializedError) return null;
    throw error;
  }
}

/**
 * Throws RefusedError (exit 3) when this process runs inside a live agent
 * session of the workspace at `cwd`. `command` names it in the message (`flux verify`).
 */
export async function refuseInsideAgent(command: string, cwd: string = process.cwd()): Promise<void> {
  const ws = workspaceOrNull(cwd);
  const state = ws === null ? null : new Engine(ws).load();
  if (ws === null || state === null || Object.keys(state.sessions).length === 0) {
    checked = true;
    return;
  }
  const caller = await callerOf(ws, state);
  if (caller.kind === 'agent') {
    throw new RefusedError(
      `${command} must be run by a person: this runs inside Flux's agent session ${caller.session} (${caller.evidence})`,
      `run it from your own terminal, outside the agent's tmux session; an agent cannot approve, reject, merge, reset or discard work, nor answer its own permission questions (docs/security.md)`,
    );
  }
  if (caller.kind === 'unknown') {
    throw new RefusedError(
      `${command} must be run by a person, and Flux cannot tell whether this is one: ${caller.why}`,
      'Flux reads /proc (Linux) or runs `ps -A -o pid= -o ppid=`; make one of them work (install procps)',
    );
  }
  checked = true;
}

/**
 * The `by` of a decision a person made. Only a process that passed
 * `refuseInsideAgent` has one: recording a human decision without the check
 * is a bug, and says so.
 */
export function humanActor(): 'human' {
  if (!checked) throw new Error('a human decision was about to be recorded without the human-only check');
  return 'human';
}
