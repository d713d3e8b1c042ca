/**
 * `flux stop [--sessions]`: end the supervisor. The agents' sessions keep
 * running in tmux (a later `flux run` picks them up) unless `--sessions`,
 * which ends every live session too (through the runtime, recorded).
 */
import { Runtime } from '../../engine/runtime.js';
import { stopSupervisor } from '../../engine/runtime/supervisor.js';
import { liveSessions } from '../../engine/state.js';
import { ExitCode } from '../../errors.js';
import { print } from '../output.js';

export async function run(options: { sessions?: boolean }): Promise<number> {
  const runtime = Runtime.open();
  const stopped = await stopSupervisor(runtime);
  print(stopped === null ? 'No supervisor is running.' : `Stopped the supervisor (pid ${stopped.pid}).`);
  if (options.sessions === true) {
    const live = liveSessions(runtime.engine.load(), { tasks: true }).filter((s) => s.tmux !== '');
    for (const session of live) await runtime.endSession(session.stage, session.id);
    print(
      live.length === 0
        ? 'No session was running.'
        : `Ended ${live.length} session(s): ${live.map((s) => s.id).join(', ')}.`,
    );
  } else {
    const live = liveSessions(runtime.engine.load(), { tasks: true }).filter((s) => s.tmux !== '');
    if (live.length > 0)
      print(
        `${live.length} session(s) keep running in tmux; \`flux run\` carries on, \`flux stop --sessions\` ends them.`,
      );
  }
  return ExitCode.ok;
}
