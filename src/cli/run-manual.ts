/**
 * `flux run --manual`: prepare each startable stage (worktree, signal, agent
 * settings) and print the exact command that starts its agent, for a person
 * to run in a terminal of their choice. The agent still reports through
 * Flux's hooks, so `flux status` follows it as usual.
 */
import { shellJoin, type Runtime } from '../engine/runtime.js';
import { decideStarts } from '../engine/scheduler.js';
import { paint, print } from './output.js';

export async function prepareManual(
  runtime: Runtime,
  options: { maxParallel: number; only?: string },
): Promise<number> {
  await runtime.reconcile();
  const { events } = runtime.engine.commit((state) =>
    decideStarts(state, {
      maxParallel: options.maxParallel,
      ...(options.only === undefined ? {} : { only: options.only }),
      agent: runtime.config.run.agent,
      sessionPrefix: runtime.config.tmux.session_prefix,
      budget: runtime.config.budget,
      manual: true,
    }),
  );
  const started = events.filter((event) => event.type === 'stage.started');
  if (started.length === 0) {
    print('No stage can start now: `flux status` shows what each one waits for.');
    return 0;
  }
  for (const event of started) {
    if (event.type !== 'stage.started') continue;
    try {
      const { worktree, spec } = await runtime.prepareLaunch(event.stage, event.session);
      // PATH is shown as an addition to the person's own, for their shell to expand.
      const { PATH: _path, ...rest } = spec.env;
      const env = Object.entries(rest).map(([key, value]) => `${key}=${value}`);
      const path = `PATH=${shellJoin([`${runtime.engine.ws.workDir}/bin`])}:"$PATH"`;
      print(`${paint(event.stage, 'bold')} is ready (session ${event.session}). Start it in ${worktree}:`);
      print(`  cd ${shellJoin([worktree])} && env ${shellJoin(env)} ${path} ${shellJoin(spec.argv)}`);
      print('');
    } catch (error) {
      runtime.recordLaunchFailure(
        event.stage,
        event.session,
        `could not prepare: ${(error as Error).message}`,
      );
      throw error;
    }
  }
  print(
    paint(
      "Each agent reports through Flux's hooks: `flux status` follows them; `flux run` merges and starts what follows.",
      'dim',
    ),
  );
  return 0;
}
