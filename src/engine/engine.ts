/**
 * The engine: one workspace's event store folded into FluxState.
 *
 * `commit(decide)` is the single path by which anything changes: under the
 * log's lock it brings the state up to the last appended event, asks
 * `decide` for a Decision, appends its events, folds them, and rewrites the
 * projections they touched. The effects the decision requests are returned
 * to the caller, which runs them only after the events are safely on disk.
 */
import type { FluxEvent } from '../log/events.js';
import { EventStore } from '../log/store.js';
import type { EffectRequest } from '../machines/index.js';
import { writeViews } from '../effects/projections.js';
import type { Decision } from './decide.js';
import { renderProjections, touchedBy } from './projections.js';
import { evolve } from './evolve.js';
import { asFluxState, initialState, STATE_VERSION, type FluxState } from './state.js';
import { SESSION_TABLE, STAGE_TABLE } from '../machines/lifecycle.js';
import { findWorkspace, type Workspace } from './workspace.js';

/**
 * A view an append of this process could not write (exit 10; the events
 * stand, and the views are rewritten at the next append), for the entry
 * point to report once the command is done.
 */
export { takeViewFailure } from '../effects/projections.js';

export interface Committed {
  events: FluxEvent[];
  effects: EffectRequest[];
  state: FluxState;
}

/** Snapshots are only reused by the same state shape and the same lifecycles. */
function snapshotVersion(): string {
  // FNV-1a of the tables: cheap (no crypto on the hook path), and any change to a lifecycle changes it.
  let hash = 0x811c9dc5;
  for (const char of JSON.stringify([STAGE_TABLE, SESSION_TABLE])) {
    hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  }
  return `${STATE_VERSION}:${hash.toString(16)}`;
}

export class Engine {
  readonly ws: Workspace;
  private readonly store: EventStore<FluxState>;

  constructor(ws: Workspace) {
    this.ws = ws;
    this.store = new EventStore<FluxState>({
      workDir: ws.workDir,
      initial: initialState,
      // evolve mutates the state it is given. That is safe here: every decision
      // is checked by `settle` on a copy before the store folds it.
      fold: evolve,
      snapshot: { version: snapshotVersion(), validate: asFluxState },
    });
  }

  static open(cwd?: string): Engine {
    return new Engine(findWorkspace(cwd));
  }

  /** The state as of the last event in the log. */
  load(): FluxState {
    return this.store.load();
  }

  commit(decide: (state: FluxState) => Decision): Committed {
    let effects: EffectRequest[] = [];
    const result = this.store.transact(
      (state) => {
        const decision = decide(state);
        effects = decision.effects;
        return decision.events;
      },
      // Under the lock, so views are written in the order the events were. A view
      // that cannot be written does not fail the commit: its events stand.
      (state, events) => {
        const touched = touchedBy(state, events);
        writeViews(
          this.ws.workDir,
          (all) => renderProjections(state, this.ws.root, all ? undefined : touched),
          touched.all,
        );
      },
    );
    return { events: result.events, effects, state: result.state };
  }
}
