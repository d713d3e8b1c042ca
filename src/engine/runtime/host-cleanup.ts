/**
 * After a stage on a host is merged: its worktree and branch there go (the
 * commits are in the base here), with the side ref that brought them back.
 * A host that cannot be reached now is cleaned up when it answers again
 * (the monitor finds the leftover worktree then).
 */
import { dropSideRef } from '../../effects/host/branches.js';
import { HostUnreachableError } from '../../effects/host/call.js';
import { removeHostStage } from '../../effects/host/repo.js';
import { FluxError } from '../../errors.js';
import type { Runtime } from '../runtime.js';

/** null when all went; 'unreachable' to try later; else why the worktree stays there. */
export async function cleanupOnHost(
  rt: Runtime,
  host: string,
  stageId: string,
  branch: string,
): Promise<string | 'unreachable' | null> {
  const world = rt.hostWorld(host);
  try {
    await removeHostStage(world.target, await world.paths(), stageId, branch);
  } catch (error) {
    if (error instanceof HostUnreachableError) {
      rt.note(`${stageId}: ${host} cannot be reached; its worktree there goes when it answers`);
      return 'unreachable';
    }
    if (error instanceof FluxError) return error.message;
    throw error;
  }
  await dropSideRef(rt.root, host, branch);
  return null;
}
