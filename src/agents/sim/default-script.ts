/**
 * The script a stage gets when it has no `.work/sim/<stage-id>.json`: write
 * one file per `files` glob, commit, run `flux done`, with context rising
 * over three turns. Enough for the demo to show every part of a stage's life.
 */
import path from 'node:path';
import { expandBraces, hasWildcard, matchesAny, tokenize, type GlobToken } from '../../plan/glob.js';
import type { StageDef } from '../../plan/types.js';
import type { SimAction, SimScript } from './script.js';

/** One character a `[...]` class accepts, preferring readable ones. */
function classChar(body: string, negated: boolean): string {
  const members = (ch: string): boolean => {
    for (let i = 0; i < body.length; i++) {
      const from = body[i] as string;
      if (body[i + 1] === '-' && i + 2 < body.length) {
        const to = body[i + 2] as string;
        if (ch >= from && ch <= to) return true;
        i += 2;
      } else if (ch === from) return true;
    }
    return false;
  };
  const candidates = 'xabcdefghijklmnopqrstuvwyz0123456789_';
  for (const ch of candidates) if (members(ch) !== negated) return ch;
  return negated ? 'x' : (body[0] ?? 'x');
}

function tokenText(token: GlobToken, id: string): string {
  switch (token.kind) {
    case 'literal':
      return token.text;
    case 'star':
      return id;
    case 'any':
      return 'x';
    case 'class':
      return classChar(token.body, token.negated);
    case 'globstar':
      // `src/**/x.ts` gets a subfolder; a trailing `docs/**` gets a subfolder and a file.
      return token.slash ? `${id}/` : `${id}/${id}.md`;
  }
}

/**
 * A concrete file for a `files` glob, named after the stage where the glob
 * leaves a choice: `src/models/*.rs` → `src/models/<id>.rs`, `src/**` + `/*.ts`
 * → `src/<id>/<id>.ts`. Undefined when the glob cannot be satisfied that way.
 */
export function pathForGlob(glob: string, id: string): string | undefined {
  return concretePath(glob, id)?.path;
}

/** `literal`: the glob (its first brace alternative) names one file outright. */
function concretePath(glob: string, id: string): { path: string; literal: boolean } | undefined {
  const first = expandBraces(glob)[0];
  if (first === undefined || first === '') return undefined;
  const tokens = tokenize(first);
  const candidate = tokens.map((token) => tokenText(token, id)).join('');
  return matchesAny(candidate, [glob]) ? { path: candidate, literal: !hasWildcard(tokens) } : undefined;
}

const LINE_COMMENT: Readonly<Record<string, string>> = {
  '.ts': '//',
  '.tsx': '//',
  '.js': '//',
  '.jsx': '//',
  '.mjs': '//',
  '.cjs': '//',
  '.rs': '//',
  '.go': '//',
  '.c': '//',
  '.h': '//',
  '.cpp': '//',
  '.java': '//',
  '.kt': '//',
  '.swift': '//',
  '.cs': '//',
  '.py': '#',
  '.sh': '#',
  '.rb': '#',
  '.toml': '#',
  '.yaml': '#',
  '.yml': '#',
  '.md': '',
  '.txt': '',
};

function commented(file: string, lines: string[]): string | undefined {
  const prefix = LINE_COMMENT[path.extname(file)];
  if (prefix === undefined) return undefined;
  return lines.map((line) => (prefix === '' ? line : `${prefix} ${line}`)).join('\n') + '\n';
}

/** Contents for a new file, valid for its language where that is cheap (Go needs a package clause). */
function newFileContent(file: string, stage: StageDef): string {
  const summary = [`${stage.name} (stage ${stage.id})`, 'Written by the Flux simulated agent.'];
  switch (path.extname(file)) {
    case '.json':
      return JSON.stringify({ stage: stage.id, name: stage.name }, null, 2) + '\n';
    case '.md':
      return `# ${stage.name}\n\n${stage.description || summary[0]}\n\n${summary[1]}\n`;
    case '.go': {
      const pkg = path.posix.basename(path.posix.dirname(file)).replace(/[^a-z0-9_]/g, '_');
      return `${commented(file, summary)}package ${/^[a-z_]/.test(pkg) ? pkg : 'main'}\n`;
    }
    default:
      return commented(file, summary) ?? summary.join('\n') + '\n';
  }
}

/** The file edits for a stage: a new file per wildcard glob, a line appended to a literal one. */
function fileEdits(stage: StageDef): Map<string, SimAction> {
  const edits = new Map<string, SimAction>();
  for (const glob of stage.files) {
    const concrete = concretePath(glob, stage.id);
    if (concrete === undefined || edits.has(concrete.path)) continue;
    const file = concrete.path;
    if (!concrete.literal) {
      edits.set(file, { write: { path: file, content: newFileContent(file, stage) } });
      continue;
    }
    // A literal path is likely an existing file: add a line rather than replace it,
    // and leave formats alone that a stray line would break (JSON, lock files).
    const line = commented(file, [`${stage.name}: updated by stage ${stage.id}.`]);
    if (line !== undefined) edits.set(file, { append: { path: file, content: line } });
  }
  if (edits.size === 0) {
    const file = `notes/${stage.id}.md`;
    edits.set(file, { write: { path: file, content: newFileContent(file, stage) } });
  }
  return edits;
}

export function defaultSimScript(stage: StageDef): SimScript {
  const edits = fileEdits(stage);
  return {
    description: `Default simulated work for stage ${stage.id}.`,
    turns: [
      {
        say: `Starting stage ${stage.id} (${stage.name}). I will change ${[...edits.keys()].join(', ')}.`,
        context: 12,
        actions: [...edits.values()],
      },
      {
        say: 'The files are in place; committing them.',
        context: 25,
        actions: [{ run: 'git status --short' }, { commit: `${stage.id}: ${stage.name}` }],
      },
      {
        say: 'Committed. Declaring the stage done; Flux runs the acceptance commands.',
        context: 38,
        actions: [{ flux: ['done'] }],
      },
    ],
  };
}

/**
 * What a session the merge queue starts plays (docs/merge-queue.md): merge
 * the base into the branch keeping both sides of each conflict, then `flux
 * done`. A stage's own script (`.work/sim/<id>.json`) plays its first sessions only.
 */
export function resolverSimScript(stage: StageDef, base: string): SimScript {
  return {
    description: `Simulated resolution for stage ${stage.id}.`,
    turns: [
      {
        say: `Stage ${stage.id} could not be merged into ${base}. Merging ${base} into my branch, keeping both sides.`,
        context: 10,
        actions: [{ merge: base }, { run: 'git log --oneline -3' }],
      },
      {
        say: 'Merged. Declaring the stage done again; Flux runs the acceptance commands.',
        context: 18,
        actions: [{ flux: ['done'] }],
      },
    ],
  };
}
