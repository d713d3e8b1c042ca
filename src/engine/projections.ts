/**
 * The human- and agent-readable files under `.work/`, rendered from the
 * folded state (pure: state in, file contents out). They are views, never
 * truth: `src/effects/projections.ts` rewrites whichever changed after every
 * batch of events, and deleting them loses nothing.
 */
import type { FluxEvent } from '../log/events.js';
import { STAGE_BRANCH_PREFIX, WORKTREES_DIR_NAME } from '../paths.js';
import { toToml } from './toml.js';
import { graphRows } from './graph.js';
import { currentSession, type FluxState, type SessionState, type StageState } from './state.js';

export const GENERATED_NOTE = 'Written by Flux from .work/events.jsonl; edits here are overwritten.';

export function renderExecutionGraph(state: FluxState): string {
  const top = {
    plan: state.plan?.path ?? '',
    title: state.plan?.title ?? '',
    base_branch: state.baseBranch ?? '',
    seq: state.seq,
  };
  return `# ${GENERATED_NOTE}\n${toToml(top, { stages: graphRows(state) })}`;
}

/** `.work/worktrees/<stage>.toml`: where a started stage works. */
export function renderWorktree(state: FluxState, stage: StageState, root: string): string {
  const session = currentSession(state, stage) ?? undefined;
  return `# ${GENERATED_NOTE}\n${toToml({
    stage: stage.id,
    path: `${root}/${WORKTREES_DIR_NAME}/${stage.id}`,
    branch: `${STAGE_BRANCH_PREFIX}${stage.id}`,
    base: state.baseBranch ?? '',
    status: stage.status,
    session: session?.id,
    tmux: session?.tmux,
  })}`;
}

function list(items: string[], empty: string, code = false): string {
  if (items.length === 0) return `${empty}\n`;
  return items.map((item) => `- ${code ? `\`${item}\`` : item}`).join('\n') + '\n';
}

export function renderStage(state: FluxState, stage: StageState): string {
  const session = currentSession(state, stage) ?? undefined;
  const lines = [
    `<!-- ${GENERATED_NOTE} -->`,
    `# ${stage.id}: ${stage.def.name}`,
    '',
    `- Status: ${stage.status} (since ${stage.since})`,
    `- Gate: ${stage.def.gate}`,
    `- Dependencies: ${stage.def.dependencies.length === 0 ? 'none' : stage.def.dependencies.join(', ')}`,
    `- Session: ${session === undefined ? 'none' : `${session.id} (${session.status}${session.context === null ? '' : `, context ${session.context}%`})`}`,
    `- Sessions so far: ${stage.sessions.length}`,
  ];
  if (stage.reason !== null) lines.push(`- Reason: ${stage.reason}`);
  if (stage.mergedCommit !== null) lines.push(`- Merged as: ${stage.mergedCommit}`);
  lines.push('', '## Description', '', stage.def.description === '' ? '(none)' : stage.def.description, '');
  lines.push('## Acceptance', '', list(stage.def.acceptance, '(no commands)', true));
  lines.push('## Files', '', list(stage.def.files, '(any)', true));
  if (stage.handoffs.length > 0) lines.push('## Handoffs', '', list(stage.handoffs, ''));
  if (stage.acceptance !== null) {
    lines.push('## Last acceptance run', '');
    for (const result of stage.acceptance) {
      const outcome = result.timed_out
        ? 'timed out'
        : result.exit_code === 0
          ? 'passed'
          : `failed (exit ${result.exit_code})`;
      lines.push(`- \`${result.command}\`: ${outcome}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export function renderSession(session: SessionState): string {
  const lines = [
    `<!-- ${GENERATED_NOTE} -->`,
    `# ${session.id}`,
    '',
    `- Stage: ${session.stage}`,
    `- Status: ${session.status} (since ${session.since})`,
    `- Context: ${session.context === null ? 'not reported yet' : `${session.context}%`}`,
    `- Agent: ${session.agent}`,
    `- tmux session: ${session.tmux}`,
    `- Started: ${session.startedAt}`,
  ];
  if (session.agentSessionId !== null) lines.push(`- Agent session id: ${session.agentSessionId}`);
  if (session.handoff !== null) lines.push(`- Continues from: ${session.handoff}`);
  if (session.waiting !== null)
    lines.push(`- Waiting for permission: ${session.waiting.tool}: ${session.waiting.detail}`);
  if (session.endedAt !== null) lines.push(`- Ended: ${session.endedAt} (${session.endReason ?? ''})`);
  return lines.join('\n') + '\n';
}

/** What a batch of events changed, so only those files are rewritten. */
export interface Touched {
  all: boolean;
  /** A stage changed state: the graph file, which lists every stage's state, is rewritten. */
  graph: boolean;
  stages: Set<string>;
  sessions: Set<string>;
}

export function touchedBy(state: FluxState, events: readonly FluxEvent[]): Touched {
  const touched: Touched = { all: false, graph: false, stages: new Set(), sessions: new Set() };
  for (const event of events) {
    if (event.type.startsWith('plan.')) touched.all = true;
    if (event.type.startsWith('stage.')) touched.graph = true;
    if ('stage' in event && typeof event.stage === 'string') touched.stages.add(event.stage);
    if ('session' in event && typeof event.session === 'string') {
      touched.sessions.add(event.session);
      const stage = state.sessions[event.session]?.stage;
      // The stage file shows its session's state and context.
      if (stage !== undefined) touched.stages.add(stage);
    }
  }
  return touched;
}

/**
 * The projections to write, keyed by path relative to `.work/`: every one when
 * `touched.all`, else those of the touched stages and sessions. The graph file
 * lists every stage's state, so it is rewritten when a stage's state changed.
 */
export function renderProjections(
  state: FluxState,
  root: string,
  touched: Touched = { all: true, graph: true, stages: new Set(), sessions: new Set() },
): Map<string, string> {
  const files = new Map<string, string>();
  const stages = touched.all ? state.order : state.order.filter((id) => touched.stages.has(id));
  if (touched.all || touched.graph) files.set('execution-graph.toml', renderExecutionGraph(state));
  for (const id of stages) {
    const stage = state.stages[id]!;
    files.set(`stages/${id}.md`, renderStage(state, stage));
    if (stage.sessions.length > 0 && stage.status !== 'merged')
      files.set(`worktrees/${id}.toml`, renderWorktree(state, stage, root));
  }
  const sessions = touched.all ? Object.keys(state.sessions) : [...touched.sessions];
  for (const id of sessions) {
    const session = state.sessions[id];
    if (session !== undefined) files.set(`sessions/${id}.md`, renderSession(session));
  }
  return files;
}
