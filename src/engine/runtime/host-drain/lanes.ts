/**
 * Requests of one session are applied in order, one at a time; different
 * sessions' at once (a PermissionRequest waits for a person and must not hold
 * up the others). A session's status-line calls have a lane of their own, as
 * they run beside its other hooks locally: the status line keeps refreshing
 * while a permission question or `flux done` waits, and must not pile up
 * behind it.
 */
import type { RelayRequest } from '../../../hosts/protocol.js';

export function laneOf(request: RelayRequest): string {
  const statusLine = request.kind === 'hook' && request.hook === 'StatusLine';
  return `${request.session}\u0000${statusLine ? 'status-line' : 'calls'}`;
}

export class Lanes {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` after every task queued before it in `lane`; resolves (or rejects) with it. */
  run<T>(lane: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(lane) ?? Promise.resolve();
    const result = before.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(lane, tail);
    void tail.then(() => {
      if (this.tails.get(lane) === tail) this.tails.delete(lane);
    });
    return result;
  }

  /** Lanes with work queued or running. */
  get busy(): number {
    return this.tails.size;
  }
}
