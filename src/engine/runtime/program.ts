/** Finding programs: this Flux (for agents' hooks and panes), and an agent's own program. */
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OVERRIDE_ENV } from '../../agents/protocol.js';
import { FluxError } from '../../errors.js';

/**
 * The argv that runs this Flux: the same node and the same `flux` entry,
 * wherever it is installed. In the bundle (dist/bin) the entry sits beside
 * or above this code; run from the sources (tests), it is the package's
 * dist/bin/main.js. FLUX_MAIN overrides both.
 */
export function fluxCommand(): string[] {
  const main = process.env[OVERRIDE_ENV.main];
  if (main !== undefined) return [process.execPath, main];
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    for (const candidate of [path.join(dir, 'main.js'), path.join(dir, 'dist', 'bin', 'main.js')]) {
      if (existsSync(candidate) && candidate.includes(`${path.sep}bin${path.sep}`))
        return [process.execPath, candidate];
    }
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the flux entry point (dist/bin/main.js): run `npm run build`');
}

/** Whether `program` (a path, or a name looked up on PATH) exists and is executable. */
export function findProgram(program: string): boolean {
  const executable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (program.includes('/')) return executable(program);
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir !== '' && executable(path.join(dir, program)));
}

/**
 * Killing a tmux server's last session makes the server exit; a new session
 * asked for at that moment can fail with "server exited unexpectedly"
 * (seen about 1 in 10 with tmux 3.3a). Asking again a moment later works.
 */
export async function retryWhileServerExits(start: () => Promise<void>, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      return;
    } catch (error) {
      const serverGone =
        error instanceof FluxError && /server exited|no server running|lost server/.test(error.message);
      if (!serverGone || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}
