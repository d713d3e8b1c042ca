/** How a command entry is defined: loaded only when chosen, a person's only, its arguments parsed, its notes wrapped. */
import { InvalidArgumentError } from 'commander';
import { terminalWidth, wrap } from '../output.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- commander hands each command its own argument types
export type Action = (...args: any[]) => Promise<number | void> | number | void;

/** Defers loading a command module until the command is chosen. */
export function lazy(load: () => Promise<{ run: Action }>): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const { run } = await load();
    const code = await run(...args.slice(0, -1));
    if (typeof code === 'number') process.exitCode = code;
  };
}

/**
 * `lazy`, for a command only a person may run: refused inside an agent
 * session before the command loads (src/cli/human-only.ts, docs/security.md).
 */
export function humanOnly(
  name: string,
  load: () => Promise<{ run: Action }>,
): (...args: unknown[]) => Promise<void> {
  const action = lazy(load);
  return async (...args) => {
    const { refuseInsideAgent } = await import('../human-only.js');
    await refuseInsideAgent(name);
    await action(...args);
  };
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
  return n;
}

/** A limit: a number above 0 (`2.5`), no unit, no sign. */
export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('expected a number above 0, without a unit (e.g. 2.5)');
  return n;
}

export function parseSeq(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a sequence number (0 or more)');
  return n;
}

/** A paragraph after a command's options, wrapped to the help's width when it is shown. */
export function note(text: string): () => string {
  return () => `\n${wrap(text, terminalWidth()).join('\n')}`;
}
