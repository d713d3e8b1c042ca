import path from 'node:path';

/**
 * Typed errors with documented exit codes (docs/exit-codes.md). Every command
 * throws these; `src/cli/main.ts` catches them once, prints the message and
 * exits with the code. Anything else is a bug and exits 1 with a stack trace.
 */

export const ExitCode = {
  ok: 0,
  /** An unexpected internal error (a bug). */
  internal: 1,
  /** The plan, the config or another input file is invalid. Nothing was written. */
  invalidInput: 2,
  /** The request is refused in the current state (a stage's state, a dirty worktree, a held lock). */
  refused: 3,
  /** `.work/events.jsonl` is damaged or does not replay. */
  logDamaged: 4,
  /** An external tool (git, tmux, an agent) failed or is missing. */
  external: 5,
  /** `.work/` is missing: run `flux init <plan>` first. */
  notInitialized: 6,
  /** Acceptance commands failed (`flux done`). */
  acceptanceFailed: 7,
  /** A merge stopped on conflicts; the worktree and branch are kept. */
  mergeConflict: 8,
  /** A file under `.work/` could not be read or written (permissions, read-only, full disk). */
  io: 9,
  /** The events were recorded, but a view under `.work/` could not be written. */
  viewNotWritten: 10,
  /** The merged tree failed the merge queue's checks; the base did not move, the branch and worktree are kept. */
  mergeChecksFailed: 11,
  /** Wrong command-line usage (unknown option, missing argument). */
  usage: 64,
  /** Interrupted by Ctrl+C. */
  interrupted: 130,
  /** Its output was closed by the reader (`flux replay | head -1`): 128 + SIGPIPE. */
  brokenPipe: 141,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class FluxError extends Error {
  readonly exitCode: ExitCodeValue;
  /** What the user can do about it, printed under the message. */
  readonly hint: string | undefined;

  constructor(message: string, exitCode: ExitCodeValue, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** A location in an input file, 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

export function formatLocation(loc: SourceLocation): string {
  if (loc.line === undefined) return loc.file;
  return loc.column === undefined ? `${loc.file}:${loc.line}` : `${loc.file}:${loc.line}:${loc.column}`;
}

/** The plan document is malformed. Names file, stage and field where it can. */
export class PlanError extends FluxError {
  readonly location: SourceLocation;
  readonly stage: string | undefined;
  readonly field: string | undefined;

  constructor(detail: {
    location: SourceLocation;
    stage?: string;
    field?: string;
    message: string;
    hint?: string;
  }) {
    const where = [
      formatLocation(detail.location),
      detail.stage === undefined ? undefined : `stage '${detail.stage}'`,
      detail.field === undefined ? undefined : `field '${detail.field}'`,
    ]
      .filter((part) => part !== undefined)
      .join(': ');
    super(`${where}: ${detail.message}`, ExitCode.invalidInput, detail.hint);
    this.location = detail.location;
    this.stage = detail.stage;
    this.field = detail.field;
  }
}

/** `.work/config.toml` (or another input file) is invalid. */
export class ConfigError extends FluxError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.invalidInput, hint);
  }
}

/** A request that is not allowed in the current state. */
export class RefusedError extends FluxError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.refused, hint);
  }
}

/** An event that the stage or session machine does not accept in its current state. */
export class TransitionError extends RefusedError {
  readonly entity: 'stage' | 'session';
  readonly id: string;
  readonly state: string;
  readonly eventType: string;
  readonly accepts: readonly string[];

  constructor(detail: {
    entity: 'stage' | 'session';
    id: string;
    state: string;
    eventType: string;
    accepts: readonly string[];
    hint?: string;
  }) {
    const accepts = detail.accepts.length === 0 ? 'nothing (final state)' : detail.accepts.join(', ');
    super(
      `${detail.entity} '${detail.id}' is ${detail.state}; it does not accept ${detail.eventType} there (it accepts: ${accepts})`,
      detail.hint,
    );
    this.entity = detail.entity;
    this.id = detail.id;
    this.state = detail.state;
    this.eventType = detail.eventType;
    this.accepts = detail.accepts;
  }
}

/** The event log is damaged, or an event in it does not replay. */
export class LogDamagedError extends FluxError {
  readonly line: number | undefined;

  constructor(message: string, line?: number, hint?: string) {
    super(message, ExitCode.logDamaged, hint);
    this.line = line;
  }
}

export class ExternalError extends FluxError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.external, hint);
  }
}

export class NotInitializedError extends FluxError {
  constructor(workDir: string, hint = 'run `flux init <plan-path>` first') {
    super(`no Flux workspace at ${workDir}`, ExitCode.notInitialized, hint);
  }
}

export class UsageError extends FluxError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
  }
}

/** Errno codes that mean a file could not be read or written: the machine's trouble, not a bug. */
const IO_FAILURES: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EFBIG: 'file too large',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
};

/** A system error reading or writing a file (not a FluxError, not a bug). */
export function isIoFailure(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (
    error instanceof Error &&
    !(error instanceof FluxError) &&
    typeof code === 'string' &&
    Object.hasOwn(IO_FAILURES, code)
  );
}

function describeIoFailure(cause: NodeJS.ErrnoException): string {
  const code = cause.code ?? 'EIO';
  return `${IO_FAILURES[code] ?? cause.message} (${code})`;
}

/** What a person can do about an I/O failure on `file`. */
function ioFix(cause: NodeJS.ErrnoException, file: string): string {
  const dir = path.dirname(file);
  switch (cause.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `free some space on the file system that holds ${dir} (df -h ${dir})`;
    case 'EACCES':
    case 'EPERM':
      return (
        `check the owner, mode and attributes of ${file} and of ${dir} (ls -ld, lsattr -d: ` +
        'a file made immutable with chattr +i cannot be changed, even by root)'
      );
    case 'EROFS':
      return `${dir} is on a read-only file system: remount it read-write`;
    case 'EFBIG':
      return 'the file is larger than the file system or `ulimit -f` allows: raise the limit';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many files are open: close some programs or raise `ulimit -n`';
    default:
      return 'the disk reported an error: check it (dmesg, smartctl)';
  }
}

/**
 * A file Flux needed could not be read or written. The message names the
 * file and says what became of the command's change (`outcome`, e.g.
 * "nothing was recorded"), the hint what to do about the cause.
 */
export class WorkspaceIoError extends FluxError {
  readonly path: string;
  readonly code: string;
  readonly #detail: IoFailureDetail;

  constructor(detail: IoFailureDetail) {
    const outcome = detail.outcome === undefined ? '' : `; ${detail.outcome}`;
    super(
      `cannot ${detail.action} ${detail.path}: ${describeIoFailure(detail.cause)}${outcome}`,
      ExitCode.io,
      `${ioFix(detail.cause, detail.path)}, then run the command again`,
    );
    this.path = detail.path;
    this.code = detail.cause.code ?? 'EIO';
    this.cause = detail.cause;
    this.#detail = detail;
  }

  /** The same failure, saying what became of the command's change. */
  withOutcome(outcome: string): WorkspaceIoError {
    return new WorkspaceIoError({ ...this.#detail, outcome });
  }
}

interface IoFailureDetail {
  /** What Flux was doing, as a verb phrase before the path: "take the lock", "append to". */
  action: string;
  path: string;
  cause: NodeJS.ErrnoException;
  /** What became of the command's change, e.g. "nothing was recorded". */
  outcome?: string;
}

/**
 * `error` as a WorkspaceIoError when it is an I/O failure, otherwise
 * unchanged. It names the file the system error names, else `path` (a
 * failed write(2) names none).
 */
export function asIoError(
  error: unknown,
  detail: { action: string; path?: string; outcome?: string },
): unknown {
  if (!isIoFailure(error)) return error;
  return new WorkspaceIoError({
    action: detail.action,
    path: error.path ?? detail.path ?? '(a file)',
    cause: error,
    ...(detail.outcome === undefined ? {} : { outcome: detail.outcome }),
  });
}

/**
 * The events were appended (they stand, and their effects were carried out),
 * but a view rendered from them could not be written. `rewritten` says
 * whether the next command that records an event is sure to rewrite them all.
 */
export class ViewWriteError extends FluxError {
  readonly path: string;

  constructor(detail: { path: string; cause: NodeJS.ErrnoException; rewritten: boolean }) {
    const until = detail.rewritten
      ? 'the next command that records an event rewrites them all'
      : 'their stages and sessions change again';
    super(
      `the events were recorded, but the view ${detail.path} could not be written: ${describeIoFailure(detail.cause)}`,
      ExitCode.viewNotWritten,
      `${ioFix(detail.cause, detail.path)}. The log is complete; the views under .work/ stay out of date until ${until}`,
    );
    this.path = detail.path;
    this.cause = detail.cause;
  }
}
