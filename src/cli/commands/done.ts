/**
 * `flux done [stage]`: the agent declares its stage done. Flux checks that
 * the work is committed, runs the acceptance commands in the worktree with
 * their output streamed, and records the stage completed, or prints what
 * failed so the agent can fix it (exit 7). It only records events: the
 * monitor (`flux run`) acts on them, so nothing here ends the agent's own session.
 */
import { settle } from '../../engine/decide.js';
import { Runtime } from '../../engine/runtime.js';
import { ExitCode, RefusedError } from '../../errors.js';
import type { AcceptanceResult } from '../../log/events.js';
import { paint, print } from '../output.js';
import { stageForCommand } from '../stage-context.js';

export function describeFailures(results: AcceptanceResult[]): string {
  return results
    .filter((r) => r.timed_out || r.exit_code !== 0)
    .map((r) => {
      const how = r.timed_out ? 'timed out' : `exited ${r.exit_code}`;
      return `✗ ${r.command} (${how})\n${r.output_tail
        .trimEnd()
        .split('\n')
        .slice(-30)
        .map((line) => `    ${line}`)
        .join('\n')}`;
    })
    .join('\n\n');
}

export async function run(named: string | undefined): Promise<number> {
  const runtime = Runtime.open();
  const state = runtime.engine.load();
  const stage = stageForCommand(state, runtime.root, named);
  if (stage.status === 'completed' || stage.status === 'verified' || stage.status === 'merged') {
    print(`${stage.id} is already ${stage.status}. Nothing more to do: you can stop.`);
    return 0;
  }
  if (stage.status !== 'running') {
    throw new RefusedError(
      `${stage.id} is ${stage.status}, not running`,
      'only a running stage can be declared done',
    );
  }
  const worktree = await runtime.stageWorktree(stage.id);
  if (!(await runtime.worktreeExists(worktree)))
    throw new RefusedError(
      `${stage.id} has no worktree at ${worktree.shown}`,
      'run `flux resume` to recreate it',
    );
  const dirty = await runtime.worktreeDirty(worktree);
  if (dirty.length > 0) {
    throw new RefusedError(
      `${stage.id} has uncommitted changes: ${dirty
        .slice(0, 10)
        .map((f) => f.path)
        .join(', ')}`,
      'commit your work (git add, git commit) and run `flux done` again: only commits are merged',
    );
  }

  const commands = stage.def.acceptance;
  print(
    commands.length === 0
      ? `${stage.id}: no acceptance commands.`
      : `${stage.id}: running ${commands.length} acceptance command(s) in ${worktree.shown}`,
  );
  // On a host, what was committed there comes back first: a reviewer reads the branch here.
  const away = await runtime.bringBack(stage.id);
  if (away !== null)
    throw new RefusedError(
      `${worktree.host} cannot be reached (${away.unreachable})`,
      'run `flux done` again once it answers',
    );
  const report = await runtime.runAcceptance({
    cwd: worktree.path,
    host: worktree.host,
    commands,
    timeoutMs: runtime.config.run.acceptance_timeout * 1000,
    onOutput: (chunk) => process.stdout.write(chunk),
  });

  const { state: after } = runtime.engine.commit((current) =>
    settle(current, [
      report.passed
        ? { type: 'stage.completed', stage: stage.id, forced: false, results: report.results }
        : { type: 'stage.acceptance_failed', stage: stage.id, results: report.results },
    ]),
  );
  if (!report.passed) {
    print(`\n${paint('Acceptance failed:', 'red')}`);
    print(describeFailures(report.results));
    print('\nFix these, commit, and run `flux done` again.');
    return ExitCode.acceptanceFailed;
  }
  const next = after.stages[stage.id]!.status;
  print(`\n${paint(`${stage.id} is done: every acceptance command passes.`, 'green')}`);
  print(
    stage.kind === 'task'
      ? `A person reviews and merges it next (flux task cleanup ${stage.id}).`
      : next === 'verified'
        ? 'It is verified automatically and Flux merges it next.'
        : `A person reviews it next (flux verify ${stage.id}).`,
  );
  print('Your work here is finished: stop now.');
  return 0;
}
