/**
 * Starting a session the log has started: the stage's worktree, its signal
 * (the first prompt), the agent's files, then its tmux session or pane. A
 * failure is recorded (the session crashed, the stage failed), not thrown.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { agentDir, launchSpec, type LaunchSpec } from '../../agents/launch.js';
import { defaultSimScript, resolverSimScript } from '../../agents/sim/default-script.js';
import { isPaneId } from '../../effects/tmux.js';
import { HostUnreachableError } from '../../effects/host/call.js';
import { FluxError, RefusedError } from '../../errors.js';
import type { NewEvent } from '../../log/events.js';
import { SIM_SCRIPTS_DIR_NAME } from '../../paths.js';
import { settle } from '../decide.js';
import { renderResolverSignal, type OtherSide } from '../resolver-prompt.js';
import { agentRules, renderSignal, resolverRules, type DependencyNote } from '../signal.js';
import { isTask, sessionAlive, type FluxState } from '../state.js';
import { renderTaskPrompt, taskRules } from '../task-prompt.js';
import type { Runtime } from '../runtime.js';
import { mergeChecks } from './merge.js';
import { retryWhileServerExits } from './program.js';
import { hostPlace, localPlace, type StartSpec } from './host-launch.js';

async function dependencyNotes(rt: Runtime, state: FluxState, stage: string): Promise<DependencyNote[]> {
  const notes: DependencyNote[] = [];
  for (const dep of state.stages[stage]!.def.dependencies) {
    const depState = state.stages[dep]!;
    let commits: string[] = [];
    if (depState.mergedCommit !== null) {
      commits = await rt.git
        .commitsAhead(`${depState.mergedCommit}^2`, `${depState.mergedCommit}^1`)
        .catch(() => []);
    }
    notes.push({ id: dep, name: depState.def.name, commits });
  }
  return notes;
}

/** The stage's own script plays its first sessions; a session the merge queue started plays the resolver. */
function simScript(rt: Runtime, stage: FluxState['stages'][string], resolving: boolean): string {
  const base = rt.baseFor(rt.engine.load(), stage.id);
  if (resolving) return JSON.stringify(resolverSimScript(stage.def, base), null, 2) + '\n';
  const custom = path.join(rt.engine.ws.workDir, SIM_SCRIPTS_DIR_NAME, `${stage.id}.json`);
  if (existsSync(custom)) return readFileSync(custom, 'utf8');
  return JSON.stringify(defaultSimScript(stage.def), null, 2) + '\n';
}

/** The stages merged into the base that this branch does not have yet: the other side of a conflict. */
async function otherSides(
  rt: Runtime,
  state: FluxState,
  stageId: string,
  branch: string,
): Promise<OtherSide[]> {
  const others: OtherSide[] = [];
  for (const id of state.order) {
    const other = state.stages[id]!;
    if (id === stageId || other.status !== 'merged' || other.mergedCommit === null) continue;
    if (await rt.git.isMerged(other.mergedCommit, branch).catch(() => true)) continue;
    const commits = await rt.git
      .commitsAhead(`${other.mergedCommit}^2`, `${other.mergedCommit}^1`)
      .catch(() => []);
    others.push({ id, name: other.def.name, description: other.def.description, commits });
  }
  return others;
}

/** The worktree, the signal and the agent's files for a session the log has started; returns what to run. */
export async function prepareLaunch(
  rt: Runtime,
  stageId: string,
  sessionId: string,
): Promise<{ worktree: string; spec: LaunchSpec; start?: (session?: StartSpec) => Promise<void> }> {
  const state = rt.engine.load();
  const stage = state.stages[stageId]!;
  const session = state.sessions[sessionId]!;
  const base = rt.baseFor(state, stageId);
  const branch = rt.branchName(stageId, state);
  const place =
    session.host === undefined || session.host === null
      ? await localPlace(rt, stageId, sessionId, branch, base)
      : await hostPlace(rt, session.host, stageId, sessionId, branch, base);
  const worktree = place.worktree;
  const handoff =
    session.handoff === null
      ? null
      : {
          path: session.handoff,
          text: readFileSync(path.join(rt.engine.ws.workDir, session.handoff), 'utf8'),
        };
  const branchCommits =
    handoff === null && stage.sessions.length > 1 ? await rt.git.commitsAhead(branch, base) : [];
  const resolution = stage.resolution ?? null;
  const resolving = (session.resolving ?? null) !== null && resolution !== null && !isTask(stage);
  const prompt = resolving
    ? renderResolverSignal({
        stage,
        resolution: resolution!,
        session: sessionId,
        worktree,
        branch,
        base,
        checks: mergeChecks(state, stage),
        others: await otherSides(rt, state, stageId, branch),
        maxAttempts: rt.config.merge.resolve_attempts,
        handoff,
      })
    : isTask(stage)
      ? renderTaskPrompt({ task: stage, session: sessionId, worktree, handoff, branchCommits })
      : renderSignal({
          state,
          stage,
          session: sessionId,
          worktree,
          branch,
          dependencies: await dependencyNotes(rt, state, stageId),
          handoff,
          branchCommits,
          feedback: session.feedback,
        });
  const workDir = place.workDir;
  const spec = launchSpec({
    config: rt.config,
    agent: session.agent,
    stage: stage.def,
    session: sessionId,
    agentSessionId: session.agentSessionId ?? randomUUID(),
    worktree,
    workDir,
    flux: place.flux,
    prompt,
    promptFile: path.join(workDir, 'signals', `${sessionId}.md`),
    rules: isTask(stage)
      ? taskRules(stageId)
      : resolving
        ? resolverRules(stageId, base)
        : agentRules(stageId),
    ...(resolving
      ? { extraTools: ['Bash(git merge:*)', ...mergeChecks(state, stage).map((c) => `Bash(${c})`)] }
      : {}),
  });
  if (session.agent === 'sim')
    spec.files.set(
      path.join(agentDir(workDir, sessionId), 'sim-script.json'),
      simScript(rt, stage, resolving),
    );
  await place.write(spec.files);
  return {
    worktree,
    spec: { ...spec, env: place.env(spec.env) },
    ...(place.start === undefined ? {} : { start: place.start }),
  };
}

/** Starts a session the log has started, unless it is over already (another process got there first). */
export async function launch(rt: Runtime, stageId: string, sessionId: string): Promise<void> {
  const session = rt.engine.load().sessions[sessionId];
  if (session === undefined || session.tmux === '' || session.status !== 'starting') return;
  try {
    const { worktree, spec, start: startThere } = await prepareLaunch(rt, stageId, sessionId);
    // An ad hoc task's pane or session stays after its agent exits, so its last words can be read.
    const task = isTask(rt.engine.load().stages[stageId]);
    if (startThere !== undefined) {
      // On a host: its Flux writes the files and starts the session, in one call.
      await startThere({ name: session.tmux, argv: spec.argv, env: spec.env });
      rt.note(`${stageId}: started ${sessionId} in tmux session ${session.tmux} on ${session.host ?? '?'}`);
      return;
    }
    if (isPaneId(session.tmux)) {
      // A task's pane (made by `flux task run`, or the one a handed-off session ran in) is reused.
      await rt.tmux.respawnPane({
        target: session.tmux,
        cwd: worktree,
        command: spec.argv,
        env: spec.env,
        remainOnExit: true,
        label: sessionId,
      });
      rt.note(`${stageId}: started ${sessionId} in tmux pane ${session.tmux}`);
      return;
    }
    const tmux = rt.tmux;
    const start = () =>
      tmux.newSession({
        name: session.tmux,
        cwd: worktree,
        command: spec.argv,
        env: spec.env,
        ...(task ? { remainOnExit: true } : {}),
      });
    try {
      await retryWhileServerExits(start);
    } catch (error) {
      // A tmux session left from an earlier session of this stage (the log says it ended).
      if (!(error instanceof RefusedError) || !(await tmux.killSession(session.tmux))) throw error;
      await retryWhileServerExits(start);
    }
    rt.note(`${stageId}: started ${sessionId} in tmux session ${session.tmux}`);
  } catch (error) {
    if (error instanceof HostUnreachableError) return recordHostAway(rt, sessionId, error);
    if (!(error instanceof FluxError)) throw error;
    recordLaunchFailure(rt, stageId, sessionId, `could not start: ${error.message}`);
  }
}

/**
 * A host that cannot be reached fails no stage: the session did not start,
 * the host is recorded away, and the stage is placed again (elsewhere,
 * unless it is pinned there: then it waits for the host).
 */
function recordHostAway(rt: Runtime, sessionId: string, error: HostUnreachableError): void {
  rt.note(error.message);
  rt.engine.commit((current) => {
    const events: NewEvent[] = [];
    if (current.unreachable?.[error.host] === undefined)
      events.push({ type: 'host.unreachable', host: error.host, reason: error.why });
    if (sessionAlive(current.sessions[sessionId]))
      events.push({
        type: 'session.crashed',
        session: sessionId,
        reason: `could not start: ${error.message}`,
      });
    return settle(current, events);
  });
}

export function recordLaunchFailure(rt: Runtime, stageId: string, sessionId: string, reason: string): void {
  rt.note(`${stageId}: ${reason}`);
  rt.engine.commit((current) => {
    const events: NewEvent[] = [];
    const live = current.sessions[sessionId];
    if (sessionAlive(live)) {
      events.push({ type: 'session.crashed', session: sessionId, reason });
    }
    if (current.stages[stageId]?.status === 'running')
      events.push({ type: 'stage.failed', stage: stageId, reason });
    return settle(current, events);
  });
}
