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
  /** Wrong command-line usage (unknown option, missing argument). */
  usage: 64,
  /** Interrupted by Ctrl+C. */
  interrupted: 130,
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
