/**
 * A `files` glob that matches nothing in the repository may be a typo
 * (`scr/models/*.rs`) or a folder the stage is to create (`src/api/*.rs`).
 * Only the first is worth a warning: a glob is a likely typo when changing
 * one of its literal folder or file names to the name of something next to
 * it (or its extension to one found there) makes it match.
 */
import { expandBraces, globToRegExp } from './glob.js';

/** Optimal string alignment distance: Levenshtein, plus a swap of two neighbours costs 1 (`scr` → `src`). */
export function typoDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate a typo of `word` most likely meant: one edit for short names, two for longer ones. */
export function nearestName(word: string, candidates: Iterable<string>): string | undefined {
  const limit = word.length <= 4 ? 1 : 2;
  let best: { name: string; distance: number } | undefined;
  for (const name of [...candidates].sort()) {
    if (name === word) continue;
    const distance = typoDistance(word.toLowerCase(), name.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** The repository's paths, as folders and what each holds. */
export class RepoTree {
  readonly files: readonly string[];
  private readonly children = new Map<string, Set<string>>();
  private readonly dirs = new Set<string>(['']);

  constructor(files: readonly string[]) {
    this.files = files;
    for (const file of files) {
      const parts = file.split('/');
      for (let i = 0; i < parts.length; i++) {
        const parent = parts.slice(0, i).join('/');
        if (!this.children.has(parent)) this.children.set(parent, new Set());
        this.children.get(parent)!.add(parts[i]!);
        if (i < parts.length - 1) this.dirs.add(parts.slice(0, i + 1).join('/'));
      }
    }
  }

  isDir(dir: string): boolean {
    return this.dirs.has(dir);
  }

  /** Names directly in `dir` ('' is the root). */
  entries(dir: string): Set<string> {
    return this.children.get(dir) ?? new Set();
  }

  matchesSomething(pattern: string): boolean {
    const re = globToRegExp(pattern);
    return this.files.some((file) => re.test(file) || this.isDirMatch(re, file));
  }

  /** A glob naming a folder (`src/models`) matches it too. */
  private isDirMatch(re: RegExp, file: string): boolean {
    const parts = file.split('/');
    for (let i = 1; i < parts.length; i++) if (re.test(parts.slice(0, i).join('/'))) return true;
    return false;
  }

  /** Extensions (`.rs`) of the files at or below `dir`. */
  extensionsUnder(dir: string): Set<string> {
    const prefix = dir === '' ? '' : `${dir}/`;
    const found = new Set<string>();
    for (const file of this.files) {
      if (!file.startsWith(prefix)) continue;
      const ext = /(\.[^./]+)$/.exec(file)?.[1];
      if (ext !== undefined) found.add(ext);
    }
    return found;
  }
}

const WILD = /[*?[{]/;

/** For one brace-free alternative: the corrected pattern, when one edit makes it match. */
function correctAlternative(pattern: string, tree: RepoTree): string | undefined {
  const segments = pattern.split('/');
  let parent = '';
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (WILD.test(segment)) {
      // `*.rss`: an extension that exists nowhere below, close to one that does.
      const ext = last ? /^\*+(\.[^*?[{/]+)$/.exec(segment)?.[1] : undefined;
      if (ext === undefined) return undefined;
      const near = nearestName(ext, tree.extensionsUnder(parent));
      return near === undefined ? undefined : [...segments.slice(0, i), `*${near}`].join('/');
    }
    const here = parent === '' ? segment : `${parent}/${segment}`;
    const exists = last ? tree.entries(parent).has(segment) : tree.isDir(here);
    if (!exists) {
      const candidates = [...tree.entries(parent)].filter((name) => {
        const full = parent === '' ? name : `${parent}/${name}`;
        return last || tree.isDir(full);
      });
      const near = nearestName(segment, candidates);
      if (near === undefined) return undefined;
      return [...segments.slice(0, i), near, ...segments.slice(i + 1)].join('/');
    }
    parent = here;
  }
  return undefined;
}

/**
 * When `pattern` matches nothing in `tree` and looks like a typo, the
 * pattern it most likely meant (which does match); else undefined.
 */
export function globTypo(pattern: string, tree: RepoTree): string | undefined {
  if (tree.matchesSomething(pattern)) return undefined;
  for (const alternative of expandBraces(pattern)) {
    if (tree.matchesSomething(alternative)) continue;
    const corrected = correctAlternative(alternative, tree);
    // (For a pattern with braces, the corrected alternative.)
    if (corrected !== undefined && tree.matchesSomething(corrected)) return corrected;
  }
  return undefined;
}
