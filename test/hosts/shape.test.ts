/**
 * The relay's messages as the other side reads them (src/hosts/shape.ts):
 * data from the link, checked field by field, the field named when wrong.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseAck, parseRequest } from '../../src/hosts/shape.js';

const base = () => ({
  id: randomUUID(),
  at: '2026-01-02T03:04:05.000Z',
  session: 'api.s1',
  stage: 'api',
  env: { FLUX_STOP_REMINDERS: '3' },
});

describe('a request', () => {
  it('each kind, whole, is read as it is', () => {
    for (const request of [
      { ...base(), kind: 'hook', hook: 'Stop', stdin: '{}', tokens: 12 },
      { ...base(), kind: 'exit', status: 137 },
      { ...base(), kind: 'cli', argv: ['done'], handoffs: { 'api-handoff-001.md': 'text' } },
    ])
      expect(parseRequest(request)).toEqual(request);
  });

  it.each([
    ['an id that is not a UUID (it names files)', { id: '../x' }, 'id: not a request id (a random UUID)'],
    ['no time', { at: 'soon' }, 'at: not a time'],
    ['no session', { session: '' }, 'session: missing'],
    ['settings that are not strings', { env: { X: 1 } }, 'env: not an object of strings'],
    ['an unknown kind', { kind: 'shell' }, 'kind: "shell" is none of hook, exit, cli'],
    ['an unknown hook', { kind: 'hook', hook: 'Evil', stdin: '' }, 'hook: not a hook name: "Evil"'],
    ['an exit status out of range', { kind: 'exit', status: 256 }, 'status: not an exit status (0–255)'],
    [
      'a command a host does not relay (a person’s)',
      { kind: 'cli', argv: ['approve', 'api'] },
      'argv: "approve" is not a command a host relays (done, handoff, status)',
    ],
  ])('refused, the field named: %s', (_what, fields, why) => {
    expect(parseRequest({ ...base(), kind: 'exit', status: 0, ...fields })).toBe(why);
  });

  it('not an object at all', () => {
    expect(parseRequest([1])).toBe('not a JSON object');
    expect(parseRequest(null)).toBe('not a JSON object');
  });
});

describe('an acknowledgement', () => {
  it('an id and a whole reply', () => {
    const id = randomUUID();
    const ack = { ack: id, reply: { stdout: 'a', stderr: '', exitCode: 3 } };
    expect(parseAck(ack)).toEqual(ack);
    expect(parseAck({ ack: id, reply: { stdout: 'a' } })).toBe('reply: stdout, stderr: not strings');
    expect(parseAck({ ack: 'x', reply: {} })).toBe('ack: not a request id');
  });
});
