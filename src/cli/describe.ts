/** One line saying what an event did, for `flux replay` and the log lines of `flux run`. */
import { formatAmount } from '../engine/budget.js';
import type { FluxState } from '../engine/state.js';
import type { FluxEvent } from '../log/events.js';
import { paintStatus } from './output.js';

/** The state each event type leads to, for a line written after the fact (the live log). */
const RESULT: Record<string, string> = {
  'stage.ready': 'ready',
  'stage.started': 'running',
  'stage.handoff_requested': 'needs_handoff',
  'stage.acceptance_failed': 'running',
  'stage.completed': 'completed',
  'stage.verified': 'verified',
  'stage.rejected': 'rejected',
  'stage.merged': 'merged',
  'stage.merge_failed': 'verified',
  'stage.failed': 'failed',
  'stage.blocked': 'blocked',
  'stage.reset': 'pending',
  'session.working': 'working',
  'session.idle': 'idle',
  'session.waiting_permission': 'waiting_permission',
  'session.handing_off': 'handing_off',
  'session.ended': 'ended',
  'session.crashed': 'crashed',
};

/** Events with words of their own, the same live and in a replay. */
function ownWords(event: FluxEvent): string | null {
  switch (event.type) {
    case 'session.cost':
      return `${event.session}: spent ${formatAmount('usd', event.usd)}${event.tokens === undefined ? '' : ` (${formatAmount('tokens', event.tokens)})`}`;
    case 'budget.reached':
      return `${event.stage ?? 'the plan'}: budget reached: ${formatAmount(event.kind, event.spent)} of ${formatAmount(event.kind, event.limit)}`;
    case 'budget.raised': {
      const limits = (['usd', 'minutes', 'tokens'] as const)
        .filter((kind) => event[kind] !== undefined)
        .map((kind) => formatAmount(kind, event[kind]!));
      return `${event.stage ?? 'the plan'}: budget set to ${limits.join(', ')}`;
    }
    case 'setup.started':
      return `${event.session}: setting up the worktree (${event.commands.length} command(s))`;
    case 'setup.finished':
      return `${event.session}: setup ${event.passed ? 'passed' : `failed${event.error === undefined ? '' : ` (${event.error})`}`}`;
    case 'host.unreachable':
      return `host ${event.host}: cannot be reached (${event.reason})`;
    case 'host.reachable':
      return `host ${event.host}: reached again`;
    case 'session.started':
      if (event.host === undefined) return null;
      return `${event.session} for ${event.stage} on ${event.host} (${event.agent} in tmux ${event.tmux})`;
    default:
      return null;
  }
}

/** One line for an event as it happens: what it did, without the state before it. */
export function describeNewEvent(event: FluxEvent): string {
  const subject =
    'stage' in event && event.type.startsWith('stage.')
      ? event.stage
      : 'session' in event
        ? event.session
        : '';
  const own = ownWords(event);
  if (own !== null) return own;
  switch (event.type) {
    case 'plan.initialized':
    case 'plan.updated':
      return `${event.plan.stages.length} stages from ${event.plan.path}`;
    case 'task.created':
      return `task ${event.task.id}: ${event.task.description || event.task.name} (${event.branch}, in a tmux ${event.placement})`;
    case 'session.started':
      return `${event.session} for ${event.stage} (${event.agent}${event.tmux === '' ? ', started by hand' : ` in tmux ${event.tmux}`})`;
    case 'session.context':
      return `${event.session}: context ${event.percent}%`;
    case 'notification.sent':
      return `told: ${event.title}: ${event.message}`;
    case 'session.permission_answered':
      return `${event.session}: ${event.decision === 'allow' ? 'allowed' : 'denied'}${event.reason === undefined ? '' : ` (${event.reason})`}`;
    case 'session.waiting_permission':
      return `${event.session}: waits for permission: ${event.tool} ${event.detail}`;
    case 'merge.checking':
      return `${event.stage}: checking its merge ${event.commit.slice(0, 8)} (${event.commands.length} check(s))`;
    case 'stage.acceptance_failed':
      return `${event.stage}: acceptance failed (${event.results.filter((r) => r.exit_code !== 0).length} of ${event.results.length})`;
    default: {
      const reason = 'reason' in event && event.reason !== undefined ? ` (${event.reason})` : '';
      return `${subject}: ${paintStatus(RESULT[event.type] ?? event.type)}${reason}`;
    }
  }
}

/** What the event changed, read off the state before and after it. */
export function describeEvent(
  before: { stage?: string; session?: string },
  event: FluxEvent,
  after: FluxState,
): string {
  const own = ownWords(event);
  if (own !== null) return own;
  switch (event.type) {
    case 'plan.initialized':
    case 'plan.updated':
      return `${event.plan.stages.length} stages from ${event.plan.path}`;
    case 'task.created':
      return `task ${event.task.id}: ${event.task.description || event.task.name} (${event.branch})`;
    case 'session.started':
      return `${event.session} for ${event.stage}: → starting (${event.agent} in tmux ${event.tmux})`;
    case 'session.context':
      return `${event.session}: context ${event.percent}%`;
    case 'notification.sent':
      return `told: ${event.title}: ${event.message}`;
    case 'merge.checking':
      return `${event.stage}: checking its merge ${event.commit.slice(0, 8)} (${event.commands.length} check(s))`;
    default:
      break;
  }
  if ('stage' in event && event.stage !== undefined && event.type.startsWith('stage.')) {
    const now = after.stages[event.stage]!.status;
    const extra = 'reason' in event && event.reason !== undefined ? ` (${event.reason})` : '';
    return `${event.stage}: ${before.stage === now || before.stage === undefined ? paintStatus(now) : `${paintStatus(before.stage ?? '?')} → ${paintStatus(now)}`}${extra}`;
  }
  if ('session' in event && event.session !== undefined) {
    const now = after.sessions[event.session]!.status;
    return `${event.session}: ${before.session === now || before.session === undefined ? paintStatus(now) : `${paintStatus(before.session ?? '?')} → ${paintStatus(now)}`}`;
  }
  return '';
}
