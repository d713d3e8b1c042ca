/** Git's porcelain output, parsed (pure), and the shapes Flux reads it into. */
import { lines, splitNul } from './run.js';

/** One entry of `git status --porcelain=v1`. */
export interface FileStatus {
  /** Relative to the worktree root. */
  path: string;
  /** The two-letter porcelain code: ' M', 'A ', 'UU', '??' … */
  code: string;
  /** For a rename or copy, where it came from. */
  from?: string;
  untracked: boolean;
}

export interface WorktreeInfo {
  /** Absolute, symlinks resolved. */
  path: string;
  head: string | null;
  /** Short branch name; null when detached. */
  branch: string | null;
  /** The repository's main worktree (always listed first by git). */
  main: boolean;
  locked: boolean;
  /** Registered, but its directory is gone. */
  prunable: boolean;
}

export interface AddWorktreeResult {
  path: string;
  branch: string;
  head: string;
  /** `created` a new branch from base, `attached` an existing branch, or found the worktree `existing`. */
  outcome: 'created' | 'attached' | 'existing';
}

export interface DiffStat {
  /** `added`/`deleted` are null for binary files. */
  files: { path: string; added: number | null; deleted: number | null }[];
  insertions: number;
  deletions: number;
}

export interface MergePrediction {
  /** null when this git cannot predict (merge-tree --write-tree needs git 2.38). */
  clean: boolean | null;
  conflicts: string[];
  /** git's CONFLICT lines, for showing to a person. */
  messages: string[];
  /** Why no prediction was possible, when `clean` is null. */
  unsupported?: string;
}

/** `git status --porcelain=v1 -z`: `XY path\0`, plus `from\0` after renames and copies. */
export function parseStatus(output: string): FileStatus[] {
  const records = splitNul(output);
  const files: FileStatus[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i] ?? '';
    const code = record.slice(0, 2);
    const entry: FileStatus = { path: record.slice(3), code, untracked: code === '??' || code === '!!' };
    if (code[0] === 'R' || code[0] === 'C') {
      entry.from = records[++i] ?? '';
    }
    files.push(entry);
  }
  return files;
}

/** `git worktree list --porcelain`: blank-line separated blocks of `key value` lines. */
export function parseWorktreeList(output: string): WorktreeInfo[] {
  const worktrees: WorktreeInfo[] = [];
  for (const block of output.split(/\n\n+/)) {
    let current: WorktreeInfo | undefined;
    for (const line of lines(block.trim())) {
      const space = line.indexOf(' ');
      const key = space === -1 ? line : line.slice(0, space);
      const value = space === -1 ? '' : line.slice(space + 1);
      if (key === 'worktree') {
        current = {
          path: value,
          head: null,
          branch: null,
          main: worktrees.length === 0,
          locked: false,
          prunable: false,
        };
        worktrees.push(current);
      } else if (current !== undefined) {
        if (key === 'HEAD') current.head = value;
        else if (key === 'branch') current.branch = value.replace(/^refs\/heads\//, '');
        else if (key === 'locked') current.locked = true;
        else if (key === 'prunable') current.prunable = true;
      }
    }
  }
  return worktrees;
}

/** `git diff --numstat -z --no-renames`: `added\tdeleted\tpath\0`, `-` for binary files. */
export function parseNumstat(output: string): DiffStat {
  const stat: DiffStat = { files: [], insertions: 0, deletions: 0 };
  for (const record of splitNul(output)) {
    const [added = '', deleted = '', ...rest] = record.split('\t');
    const file = {
      path: rest.join('\t'),
      added: added === '-' ? null : Number(added),
      deleted: deleted === '-' ? null : Number(deleted),
    };
    stat.files.push(file);
    stat.insertions += file.added ?? 0;
    stat.deletions += file.deleted ?? 0;
  }
  return stat;
}

/**
 * `git merge-tree --write-tree --name-only --messages -z`: the tree id, the
 * conflicted paths, an empty field, then messages as
 * `<path count>\0<paths…>\0<type>\0<text>\0`.
 */
export function parseMergeTree(output: string, exitCode: number): MergePrediction {
  const fields = output.split('\0');
  const conflicts: string[] = [];
  let i = 1; // fields[0] is the tree id
  for (; i < fields.length && fields[i] !== ''; i++) conflicts.push(fields[i] ?? '');
  const messages: string[] = [];
  for (i++; i < fields.length;) {
    const count = Number(fields[i]);
    if (!Number.isInteger(count)) break;
    const type = fields[i + count + 1] ?? '';
    const text = (fields[i + count + 2] ?? '').trim();
    if (type.startsWith('CONFLICT')) messages.push(text);
    i += count + 3;
  }
  return { clean: exitCode === 0, conflicts, messages };
}

/** `git status --porcelain=v2 --branch -z`: the branch (null when detached), HEAD, and changed paths. */
export function parseBranchStatus(output: string): {
  branch: string | null;
  head: string | null;
  changed: string[];
} {
  let branch: string | null = null;
  let head: string | null = null;
  const changed: string[] = [];
  const records = output.split('\0');
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (record.startsWith('# branch.head ')) {
      const name = record.slice('# branch.head '.length);
      branch = name === '(detached)' ? null : name;
    } else if (record.startsWith('# branch.oid ')) {
      const oid = record.slice('# branch.oid '.length);
      head = oid === '(initial)' ? null : oid;
    } else if (record.startsWith('1 ') || record.startsWith('u ')) {
      changed.push(
        record
          .split(' ')
          .slice(record.startsWith('1 ') ? 8 : 10)
          .join(' '),
      );
    } else if (record.startsWith('2 ')) {
      changed.push(record.split(' ').slice(9).join(' '));
      i++; // the rename's original path
    }
  }
  return { branch, head, changed };
}
