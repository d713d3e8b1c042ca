/**
 * `flux replay [--until <seq>] [--stage <id>]`: folds the log from the first
 * event, printing each one and the state change it caused. A log that does
 * not replay stops at the offending event with exit code 4.
 */
import { findWorkspace } from '../../engine/workspace.js';
import { evolve, replay } from '../../engine/evolve.js';
import { initialState, type FluxState } from '../../engine/state.js';
import { requireStage } from '../../engine/lookup.js';
import { LogDamagedError } from '../../errors.js';
import type { FluxEvent } from '../../log/events.js';
import { readLog } from '../../log/read.js';
import { describeEvent } from '../describe.js';
import { paint, print, warn } from '../output.js';

interface ReplayOptions {
  until?: number;
  stage?: string;
}

function concerns(state: FluxState, event: FluxEvent, stage: string): boolean {
  if ('stage' in event && event.stage === stage) return true;
  if ('session' in event && typeof event.session === 'string')
    return state.sessions[event.session]?.stage === stage;
  return event.type.startsWith('plan.');
}

export function run(options: ReplayOptions): number {
  const ws = findWorkspace();
  const read = readLog(ws.logPath);
  if (read.torn !== null)
    warn(`the log ends in a torn line at byte ${read.torn.offset} (an interrupted append); it is ignored`);

  const state = initialState();
  if (options.stage !== undefined)
    requireStage(
      replay(read.events.filter((e) => e.type.startsWith('plan.') || e.type === 'task.created')),
      options.stage,
    );
  for (const event of read.events) {
    if (options.until !== undefined && event.seq > options.until) break;
    const before = {
      stage: 'stage' in event && event.stage !== undefined ? state.stages[event.stage]?.status : undefined,
      session:
        'session' in event && typeof event.session === 'string'
          ? state.sessions[event.session]?.status
          : undefined,
    };
    try {
      evolve(state, event);
    } catch (error) {
      throw new LogDamagedError(
        `${ws.logPath} line ${event.seq}: event ${event.seq} (${event.type}) does not replay: ${(error as Error).message}`,
        event.seq,
        `inspect it with \`sed -n ${event.seq}p ${ws.logPath}\`; the state before it is \`flux replay --until ${event.seq - 1}\``,
      );
    }
    if (options.stage !== undefined && !concerns(state, event, options.stage)) continue;
    print(
      `${String(event.seq).padStart(6)}  ${paint(event.at, 'dim')}  ${event.type.padEnd(26)} ${describeEvent(before, event, state)}`,
    );
  }
  print(paint(`replayed cleanly up to seq ${state.seq}`, 'green'));
  return 0;
}
