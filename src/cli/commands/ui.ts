/**
 * `flux ui`: the dashboard. Progress, what waits on you, every stage and
 * task with its session, context, cost and time, redrawn as the log grows;
 * keys that do what `flux approve`, `deny`, `verify`, `merge`, `resume` and
 * `attach` do (docs/ui.md). It needs a terminal, and a person: like the
 * other human-only commands it is refused inside an agent session before it
 * loads (`humanOnly` in src/cli/program.ts). Ink and React load with this
 * command (and with `flux run` on a terminal, which opens the same screen).
 */
import { Runtime } from '../../engine/runtime.js';
import { RefusedError } from '../../errors.js';
import { startDashboard } from '../ui/start.js';

export async function run(): Promise<number> {
  const runtime = Runtime.open();
  // Fold the log before taking the screen: a damaged log or a bad config is an error on the normal screen.
  runtime.engine.load();
  if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
    throw new RefusedError(
      'flux ui needs a terminal (stdin and stdout are not one)',
      '`flux status` prints the same overview once; `flux status --json` for scripts',
    );
  }
  return startDashboard(runtime);
}
