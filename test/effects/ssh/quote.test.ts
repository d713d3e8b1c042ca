/**
 * The quoting that carries an argv across ssh: a real POSIX shell (the one a
 * host runs the command with) must split it back into exactly the same argv.
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { remoteCommand, remoteCommandIn, shellQuote } from '../../../src/effects/ssh/quote.js';

/** What `sh -c <line>` sees as its arguments, one per NUL. */
function shellSplit(line: string): string[] {
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('remoteCommand', () => {
  it('plain words stay bare; anything else is single-quoted', () => {
    expect(shellQuote('git')).toBe('git');
    expect(shellQuote('--format=%H')).toBe('--format=%H');
    expect(shellQuote('a b')).toBe(`'a b'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe(`''`);
    expect(remoteCommand(['tmux', 'new-session', '-s', 'flux s1'])).toBe(`tmux new-session -s 'flux s1'`);
  });

  it('a shell splits it back into the same argv, whatever the arguments hold', () => {
    const arg = fc.string({
      unit: fc.constantFrom('a', ' ', "'", '"', '$', '`', '\\', ';', '&', '|', '*', '\n', '(', '!', 'é', '-'),
    });
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 5 }), (argv) => {
        expect(shellSplit(argv.map(shellQuote).join(' '))).toEqual(argv);
      }),
      { numRuns: 150 },
    );
  });

  it('an empty argv is a bug, not a command', () => {
    expect(() => remoteCommand([])).toThrow(/empty argv/);
  });

  it('remoteCommandIn runs in the folder, which may hold anything', () => {
    const dir = `/tmp/a b'c`;
    expect(remoteCommandIn(dir, ['pwd'])).toBe(`cd -- '/tmp/a b'\\''c' && pwd`);
  });
});
