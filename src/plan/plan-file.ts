/**
 * Which paths may be a plan: a regular file inside the repository, judged on
 * its real path (links resolved), so a link cannot bring in a file from
 * outside that `../outside.md` could not. The kind of file is checked with
 * stat before it is opened, and opened without blocking, so a FIFO or a
 * device can never hang `flux init`.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
  type Stats,
} from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { PlanError } from '../errors.js';

export interface PlanFile {
  /** The real path, links resolved. */
  real: string;
  /** The real path relative to the repository root, with `/`: `Plan.path`. */
  file: string;
}

type Problem = { message: string; hint: string };

const KEEP_INSIDE = 'keep the plan in the repository (e.g. doc/plans/), so every stage worktree has it';
const REGULAR_FILE = "give the path of the plan's `.md` file: a regular file";

/** Why `stats` cannot be a plan file, or undefined for a regular file. */
export function notAPlanFile(
  stats: Pick<
    Stats,
    'isFile' | 'isDirectory' | 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket'
  >,
): Problem | undefined {
  if (stats.isFile()) return undefined;
  const kind = stats.isDirectory()
    ? 'a directory'
    : stats.isFIFO()
      ? 'a named pipe (FIFO)'
      : stats.isCharacterDevice()
        ? 'a character device'
        : stats.isBlockDevice()
          ? 'a block device'
          : stats.isSocket()
            ? 'a socket'
            : 'not a regular file';
  return { message: `is ${kind}, not a plan file`, hint: REGULAR_FILE };
}

function readProblem(code: string | undefined): Problem {
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return { message: 'plan file not found', hint: 'check the path; plans usually live in `doc/plans/`' };
    case 'ELOOP':
      return {
        message: 'the plan path is a loop of symbolic links',
        hint: 'point the link at the plan file',
      };
    case 'EACCES':
    case 'EPERM':
      return { message: 'cannot read the plan file: permission denied', hint: 'make the file readable' };
    default:
      return {
        message: `cannot read the plan file (${code ?? 'unknown error'})`,
        hint: 'check that the file is readable',
      };
  }
}

const isOutside = (rel: string): boolean => rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
const slashed = (rel: string): string => (rel === '' ? '.' : rel.split(sep).join('/'));
const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/** Resolves `absPath` and checks that it is a regular file inside `repoRoot`; PlanError (exit 2) if not. */
export function resolvePlanFile(absPath: string, repoRoot: string): PlanFile {
  const root = realpathSync(repoRoot);
  const given = resolve(absPath);
  const lexical = relative(root, given);
  // Named as given while the real path is unknown: relative when inside, in full when not.
  const shown = isOutside(lexical) ? given : slashed(lexical);
  const fail = (file: string, problem: Problem): never => {
    throw new PlanError({ location: { file }, ...problem });
  };

  let real: string;
  try {
    real = realpathSync(given);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOENT' && lstatSync(given, { throwIfNoEntry: false })?.isSymbolicLink() === true) {
      fail(shown, {
        message: `plan file not found: it links to ${readlinkSync(given)}, which does not exist`,
        hint: 'point the link at the plan file, or give the plan file itself',
      });
    }
    if (code === 'ENOENT' && isOutside(lexical)) {
      fail(shown, { message: `the plan is outside the repository (${repoRoot})`, hint: KEEP_INSIDE });
    }
    return fail(shown, readProblem(code));
  }

  const rel = relative(root, real);
  if (isOutside(rel)) {
    const link = real === given ? '' : `: it links to ${real}`;
    fail(shown, { message: `the plan is outside the repository (${repoRoot})${link}`, hint: KEEP_INSIDE });
  }
  const file = slashed(rel);
  if (rel.split(sep)[0] === '.git') {
    fail(file, { message: 'the plan is inside .git/, which no worktree checks out', hint: KEEP_INSIDE });
  }
  let stats: Stats;
  try {
    stats = statSync(real);
  } catch (error) {
    return fail(file, readProblem(codeOf(error)));
  }
  const problem = notAPlanFile(stats);
  if (problem !== undefined) fail(file, problem);
  return { real, file };
}

/**
 * The bytes of a file `resolvePlanFile` accepted. Opened without blocking and
 * without following a link, then checked again, in case the path was
 * replaced since.
 */
export function readPlanFile(plan: PlanFile): Buffer {
  let fd: number;
  try {
    fd = openSync(plan.real, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    throw new PlanError({ location: { file: plan.file }, ...readProblem(codeOf(error)) });
  }
  try {
    const problem = notAPlanFile(fstatSync(fd));
    if (problem !== undefined) throw new PlanError({ location: { file: plan.file }, ...problem });
    return readFileSync(fd);
  } catch (error) {
    if (error instanceof PlanError) throw error;
    throw new PlanError({ location: { file: plan.file }, ...readProblem(codeOf(error)) });
  } finally {
    closeSync(fd);
  }
}
