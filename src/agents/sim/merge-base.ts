/**
 * The sim's `merge` action, what a resolver session does: merge the base into
 * the branch and, where git stops on conflicts, keep both sides of every hunk
 * (this branch's lines, then the base's), then commit the merge.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProcessResult } from './process.js';

/**
 * A conflicted file with both sides kept: each `<<<<<<<` … `=======` …
 * `>>>>>>>` hunk becomes our lines followed by theirs (a diff3 `|||||||`
 * base section is dropped). Lines outside hunks are unchanged.
 */
export function keepBothSides(text: string): string {
  const out: string[] = [];
  let part: 'none' | 'ours' | 'base' | 'theirs' = 'none';
  for (const line of text.split(/(?<=\n)/)) {
    if (part === 'none' && line.startsWith('<<<<<<< ')) part = 'ours';
    else if (part === 'ours' && line.startsWith('||||||| ')) part = 'base';
    else if ((part === 'ours' || part === 'base') && /^=======\r?\n?$/.test(line)) part = 'theirs';
    else if (part === 'theirs' && line.startsWith('>>>>>>> ')) part = 'none';
    else if (part !== 'base') out.push(line);
  }
  return out.join('');
}

export interface MergeSteps {
  /** Runs git in the worktree (argv, no shell). */
  git(args: readonly string[]): Promise<ProcessResult>;
  cwd: string;
  /** Reports each step, as the Bash tool's output would show it. */
  show(what: string, result?: ProcessResult): void;
}

/** Merges `base` into the branch, keeping both sides of each conflict; true when the branch has it merged. */
export async function mergeBase(steps: MergeSteps, base: string): Promise<boolean> {
  const merged = await steps.git(['merge', '--no-edit', base]);
  steps.show(`git merge --no-edit ${base}`, merged);
  if (merged.exitCode === 0) return true;
  const unmerged = await steps.git(['diff', '--name-only', '--diff-filter=U', '-z']);
  const files = unmerged.stdout.split('\0').filter((file) => file !== '');
  if (files.length === 0) return false;
  for (const file of files) {
    const full = path.join(steps.cwd, file);
    await writeFile(full, keepBothSides(await readFile(full, 'utf8')));
    steps.show(`kept both sides in ${file}`);
  }
  const added = await steps.git(['add', '--', ...files]);
  if (added.exitCode !== 0) {
    steps.show('git add', added);
    return false;
  }
  const committed = await steps.git(['commit', '--no-edit']);
  steps.show('git commit --no-edit', committed);
  return committed.exitCode === 0;
}
