/** `flux agent sim --script <file> --prompt-file <file>`: the simulated agent (docs/sim-agent.md). */
import { runSimAgent } from '../../agents/sim/main.js';

export function run(options: { script: string; promptFile: string }): Promise<number> {
  return runSimAgent({ script: options.script, promptFile: options.promptFile });
}
