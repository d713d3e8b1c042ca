/**
 * `flux agent exec --session <id> -- <agent argv…>`: the parent of every agent
 * process in a stage's tmux pane. It runs the agent on the pane's terminal
 * and, the moment the agent exits, records the session as ended (exit 0) or
 * crashed (a signal or an error exit), so a dead agent is noticed at once.
 */
import { spawn } from 'node:child_process';
import { settle } from '../../engine/decide.js';
import { Engine } from '../../engine/engine.js';
import { FluxError, UsageError } from '../../errors.js';
import type { NewEvent } from '../../log/events.js';

export function exitEvent(code: number | null, signal: NodeJS.Signals | null, session: string): NewEvent {
  if (code === 0) return { type: 'session.ended', session, reason: 'the agent exited' };
  const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
  return { type: 'session.crashed', session, reason: `the agent ${how}` };
}

function record(event: NewEvent & { session: string }): void {
  try {
    Engine.open().commit((state) => {
      const session = state.sessions[event.session];
      // Flux may have ended it already (handoff, completion, `flux sessions kill`).
      if (session === undefined || session.status === 'ended' || session.status === 'crashed')
        return { events: [], effects: [] };
      return settle(state, [event]);
    });
  } catch (error) {
    if (!(error instanceof FluxError)) throw error;
    process.stderr.write(`flux: could not record the session's end: ${error.message}\n`);
  }
}

export async function run(argv: string[], options: { session: string }): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined) throw new UsageError('no agent command given after --');
  const child = spawn(command, args, { stdio: 'inherit' });
  // Ctrl+C in the pane belongs to the agent, not to this parent.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.on('error', (error) => {
      process.stderr.write(`flux: cannot start ${command}: ${error.message}\n`);
      resolve([127, null]);
    });
    child.on('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  record(exitEvent(code, signal, options.session) as NewEvent & { session: string });
  return code ?? 1;
}
