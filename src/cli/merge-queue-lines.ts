/** The merge queue in `flux status`'s words: what lands next, and what did not land and why (docs/merge-queue.md). */
import type { MergeRow } from '../engine/merge-view.js';
import type { StatusView } from '../engine/views.js';
import { paint, wrap } from './output.js';

/** What a stage's merge problem is, in a few words. */
function mergeProblem(merge: MergeRow): string {
  return merge.cause === 'conflict'
    ? `conflicts in ${merge.conflicts.join(', ') || 'some files'}`
    : `the merged tree fails ${merge.failed.join(', ') || 'the checks'}`;
}

const MERGE_STATE_WORDS: Record<MergeRow['state'], string> = {
  queued: 'queued',
  checking: 'checking',
  returned: 'back with its agent',
  resolved: 'resolved; waits for your review',
  waiting: 'waits for you',
};

/** The merge queue in merge order, then the stages that did not land and what happens to them. */
export function queueLines(view: StatusView, width: number): string[] {
  const lines: string[] = [];
  const queued = view.stages.filter((row) => row.merge !== null && row.merge.position !== null);
  if (queued.length > 0) {
    lines.push('', paint(`Merge queue (into ${view.baseBranch ?? 'the base'}):`, 'bold'));
    for (const row of queued.sort((a, b) => a.merge!.position! - b.merge!.position!)) {
      const merge = row.merge!;
      const what =
        merge.state === 'checking' ? `checking ${merge.commit?.slice(0, 8) ?? ''}`.trim() : 'queued';
      lines.push(
        ...wrap(`${merge.position}. ${row.id}  ${what}`, width, { indent: '  ', hangingIndent: '     ' }),
      );
    }
  }
  const problems = view.stages.filter((row) => row.merge !== null && row.merge.position === null);
  if (problems.length > 0) {
    lines.push('', paint('Not landing:', 'yellow'));
    for (const row of problems) {
      const merge = row.merge!;
      const attempt = merge.attempts > 0 ? ` (attempt ${merge.attempts})` : '';
      lines.push(
        ...wrap(`${row.id}: ${mergeProblem(merge)}: ${MERGE_STATE_WORDS[merge.state]}${attempt}`, width, {
          indent: '  ',
          hangingIndent: '    ',
        }),
      );
    }
  }
  return lines;
}
