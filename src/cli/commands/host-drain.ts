/** `flux host drain <work>`: the host's end of the relay, started over ssh by the machine that runs the plan (src/hosts/drain.ts). */
import { runDrain } from '../../hosts/drain.js';

export function run(workDir: string): Promise<number> {
  return runDrain(workDir);
}
