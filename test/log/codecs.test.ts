/**
 * The two codecs (zod-validating for commands, envelope-only for the hook
 * path) read the envelope with one shared check, so a line that is not an
 * event is reported in the same words whichever process reads it.
 */
import { describe, expect, it } from 'vitest';
import { validatingCodec } from '../../src/log/codec.js';
import { LineProblem, trustedCodec } from '../../src/log/line.js';
import { captureError } from './log-fixtures.js';

const at = '2025-01-02T03:04:05.678Z';
const text = (fields: Record<string, unknown>): string => JSON.stringify(fields);

function problem(decode: (line: string) => unknown, line: string): string {
  const error = captureError(() => decode(line));
  expect(error).toBeInstanceOf(LineProblem);
  return (error as Error).message;
}

describe('the hook codec and the command codec', () => {
  it.each([
    [
      'a newer version',
      text({ v: 99, seq: 1, at, type: 'session.working', session: 's' }),
      /session\.working event of version 99, written by a newer Flux \(this one reads up to version 1\)/,
    ],
    ['no version', text({ seq: 1, at, type: 'session.working', session: 's' }), /not a valid event: v /],
    [
      'a version that is not a number',
      text({ v: '1', seq: 1, at, type: 'session.working', session: 's' }),
      /not a valid event: v /,
    ],
    ['no seq', text({ v: 1, at, type: 'session.working', session: 's' }), /not a valid event: seq /],
    [
      'a seq that is not a whole number',
      text({ v: 1, seq: 1.5, at, type: 'session.working', session: 's' }),
      /not a valid event: seq /,
    ],
    ['no type', text({ v: 1, seq: 1, at, session: 's' }), /not a valid event: type /],
    ['no time', text({ v: 1, seq: 1, type: 'session.working', session: 's' }), /not a valid event: at /],
    [
      'a carriage return',
      `${text({ v: 1, seq: 1, at, type: 'session.working', session: 's' })}\r`,
      /carriage return/,
    ],
    ['not JSON', 'this is not an event', /not valid JSON/],
    ['not an object', '[1]', /not a JSON object/],
  ])('%s: the same message from both', (_what, line, expected) => {
    const fromCommand = problem((l) => validatingCodec.decode(l), line);
    const fromHook = problem((l) => trustedCodec.decode(l), line);
    expect(fromHook).toBe(fromCommand);
    expect(fromHook).toMatch(expected);
  });

  it('both read a current line to the same event', () => {
    const line = text({ v: 1, seq: 3, at, type: 'session.working', session: 's' });
    expect(trustedCodec.decode(line)).toEqual(validatingCodec.decode(line));
  });
});
