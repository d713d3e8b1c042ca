/**
 * A synchronous sleep. The log API is synchronous (hooks call it on every
 * agent turn), so waiting for the lock must block without spinning the CPU.
 */
const cell = new Int32Array(new SharedArrayBuffer(4));

export function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(cell, 0, 0, ms);
}
