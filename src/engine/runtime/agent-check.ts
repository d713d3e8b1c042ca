/**
 * Whether the configured agent can run here, checked before sessions start:
 * a missing `claude` (or command agent) would only give sessions that crash
 * at once, and a claude without a key or login, its first-run questions or
 * this folder's trust would give sessions that wait at a dialog and run no
 * hook. The message is `flux doctor`'s (src/engine/doctor/); `sim` needs
 * none of it.
 */
import { ExternalError } from '../../errors.js';
import { claudeBlockers } from '../doctor/checks.js';
import type { Runtime } from '../runtime.js';
import { gatherClaudeFacts, sessionHome } from './claude-facts.js';
import { findProgram } from './program.js';

/** Throws an ExternalError naming what is missing and how to fix it. */
export function checkAgent(rt: Runtime): void {
  const agent = rt.config.run.agent;
  if (agent === 'sim') return;
  if (agent === 'claude') {
    const blockers = claudeBlockers(gatherClaudeFacts(rt.config, rt.root), sessionHome(rt.config));
    // Without the program the rest says nothing useful.
    const shown = blockers[0]?.id === 'agent.program' ? blockers.slice(0, 1) : blockers;
    if (shown.length === 0) return;
    throw new ExternalError(
      shown.length === 1 && shown[0]!.id === 'agent.program'
        ? shown[0]!.summary
        : `claude sessions cannot work here: ${shown.map((c) => c.summary).join('; ')}`,
      `${shown.map((c) => c.fix).join('; ')}. \`flux doctor\` checks all of it`,
    );
  }
  const program = rt.config.agents[agent]?.command[0];
  if (program === undefined || findProgram(program)) return;
  throw new ExternalError(
    `the ${agent} agent's program '${program}' is not installed (or not on PATH)`,
    `install it, or fix [agents.${agent}] command in .work/config.toml`,
  );
}
