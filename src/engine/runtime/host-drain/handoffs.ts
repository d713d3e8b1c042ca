/**
 * The handoff documents a request carries from its host, written into this
 * `.work/handoffs/`: the agent writes its handoff there, `flux handoff` and
 * the next session read it here. Only the request's own stage's documents
 * (`<stage>-handoff-NNN.md`). A document the log has not recorded yet
 * follows the host's copy (the agent may still be editing it); once
 * recorded (`flux handoff` took it), it is never overwritten: a different
 * copy from the host is left there and noted.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { handoffPath } from '../../../agents/protocol.js';
import type { RelayRequest } from '../../../hosts/protocol.js';
import { writeDurably } from '../../../hosts/spool.js';
import type { FluxState } from '../../state.js';

const NUMBERED = /-handoff-(\d{3})\.md$/;

/** Writes the request's handoffs under `workDir`; returns what there is to note (refused names, kept copies). */
export function receiveHandoffs(workDir: string, state: FluxState, request: RelayRequest): string[] {
  const notes: string[] = [];
  const recorded = new Set(state.stages[request.stage]?.handoffs ?? []);
  for (const [name, text] of Object.entries(request.handoffs ?? {})) {
    const number = NUMBERED.exec(name)?.[1];
    // Rebuilt from the stage and the number: a name from the host never becomes a path by itself.
    const relative = number === undefined ? null : handoffPath(request.stage, Number(number));
    if (relative === null || path.basename(relative) !== name) {
      notes.push(
        `handoff ${JSON.stringify(name)} is not one of ${request.stage}'s (${request.stage}-handoff-NNN.md): not written`,
      );
      continue;
    }
    const file = path.join(workDir, relative);
    let current: string | null = null;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // Not here yet.
    }
    if (current === text) continue;
    if (current !== null && recorded.has(relative)) {
      notes.push(`.work/${relative} is recorded already; the host's different copy is not written over it`);
      continue;
    }
    writeDurably(file, text);
  }
  return notes;
}
