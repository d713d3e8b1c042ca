/**
 * The words the dashboard's message area shows for an error, in the same
 * shape the commands print them.
 */
import { FluxError } from '../../../errors.js';

/** The message lines of an error: Flux's own as `error:` and `hint:`, anything else as an internal error. */
export function errorLines(error: unknown): string[] {
  if (error instanceof FluxError)
    return [`error: ${error.message}`, ...(error.hint === undefined ? [] : [`hint: ${error.hint}`])];
  return [`internal error: ${error instanceof Error ? error.message : String(error)}`];
}
