/**
 * `flux resume <id>`: a fresh session for a stage that stopped (running with
 * a dead session, failed, blocked, needs_handoff or rejected), on the same
 * worktree and branch. Its first prompt carries the latest handoff, or the
 * rejection reason and the commits already on the branch.
 */
import { requireStage } from '../../engine/lookup.js';
import { Runtime } from '../../engine/runtime.js';
import { currentSession } from '../../engine/state.js';
import { decideResume } from '../../engine/verify.js';
import { ExitCode, ExternalError } from '../../errors.js';
import { carryOnAndSay } from '../carry-on.js';
import { shownPath } from '../merge-report.js';
import { paint, print } from '../output.js';

export async function run(id: string, opts: { start?: boolean } = {}): Promise<number> {
  const runtime = Runtime.open();
  runtime.checkAgent();
  const state = runtime.engine.load();
  const stage = requireStage(state, id);
  const before = currentSession(state, stage);
  const tmuxAlive =
    before !== null && before.tmux !== '' && (await runtime.tmux.hasSession(before.tmux).catch(() => false));
  const options = {
    agent: runtime.config.run.agent,
    sessionPrefix: runtime.config.tmux.session_prefix,
    tmuxAlive,
  };
  // Refusals first, before anything needs tmux or git.
  decideResume(state, id, options);
  runtime.baseBranch(state);
  await runtime.tmux.isInstalled();

  const wasStatus = stage.status;
  const handoff = stage.status === 'needs_handoff' ? stage.handoffs.at(-1) : undefined;
  const reason = stage.reason;
  const { events } = await runtime.commitAndRun((current) => decideResume(current, id, options));
  const started = events.find((event) => event.type === 'session.started');
  if (started === undefined || started.type !== 'session.started') return ExitCode.ok;

  const after = runtime.engine.load();
  const session = after.sessions[started.session]!;
  if (session.status === 'crashed' || after.stages[id]!.status === 'failed') {
    throw new ExternalError(
      `${id}: session ${session.id} could not start: ${session.endReason ?? after.stages[id]!.reason ?? 'unknown'}`,
      `\`flux status\` shows the stage; fix the cause and run \`flux resume ${id}\` again`,
    );
  }
  print(
    `${paint(`Resumed ${id}`, 'green')} (was ${wasStatus}${reason === null ? '' : `: ${reason}`}): session ${session.id} in tmux session ${session.tmux}, worktree ${shownPath(runtime, runtime.worktreePath(id))}.`,
  );
  if (handoff !== undefined) print(`It continues from the handoff .work/${handoff}.`);
  else if (wasStatus === 'rejected') print('It is told why the stage was rejected.');
  else print('It is told what the previous sessions committed on the branch.');
  print(`Its first prompt: .work/signals/${session.id}.md`);
  print(`Watch it with \`flux attach ${id}\`; \`flux run\` follows it (handoffs, merges, what starts next).`);
  await carryOnAndSay(runtime, opts);
  return ExitCode.ok;
}
