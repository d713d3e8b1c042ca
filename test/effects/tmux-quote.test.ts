import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { createTmux, escapeTmuxArg, parseVersion, shellJoin, shellQuote } from '../../src/effects/tmux.js';

const awkward = [
  'plain',
  'two words',
  "it's",
  'say "hi"',
  '$HOME',
  '`id`',
  '$(id)',
  'a\nb',
  '',
  '*',
  'back\\slash',
  'semi;',
];

describe('shellQuote', () => {
  it('leaves safe words alone and single-quotes the rest', () => {
    expect(shellQuote('claude')).toBe('claude');
    expect(shellQuote('--settings=/tmp/x.json')).toBe('--settings=/tmp/x.json');
    expect(shellQuote('two words')).toBe("'two words'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
  });

  it('round-trips awkward arguments through a real POSIX shell', async () => {
    const script = `printf '%s\\0' ${shellJoin(awkward)}`;
    const { stdout } = await execa('/bin/sh', ['-c', script], { stripFinalNewline: false });
    expect(stdout.split('\0').slice(0, -1)).toEqual(awkward);
  });
});

describe('escapeTmuxArg', () => {
  it('escapes only a trailing semicolon, which tmux reads as a command separator', () => {
    expect(escapeTmuxArg('a;b')).toBe('a;b');
    expect(escapeTmuxArg('a;')).toBe('a\\;');
    expect(escapeTmuxArg(';')).toBe('\\;');
  });
});

describe('parseVersion', () => {
  it('reads release versions and ignores development builds', () => {
    expect(parseVersion('tmux 3.3a')).toEqual({ major: 3, minor: 3 });
    expect(parseVersion('tmux next-3.4')).toEqual({ major: 3, minor: 4 });
    expect(parseVersion('tmux master')).toBeNull();
  });
});

describe('attachArgs', () => {
  const tmux = createTmux({ socket: 'flux-x' });
  const defaultTmux = createTmux();

  it('attaches from a plain terminal', () => {
    expect(tmux.attachArgs('flux-a', {})).toEqual([
      'tmux',
      '-L',
      'flux-x',
      'attach-session',
      '-t',
      '=flux-a',
    ]);
    expect(defaultTmux.attachArgs('flux-a', {})).toEqual(['tmux', 'attach-session', '-t', '=flux-a']);
  });

  it('switches the client when already inside a client of the same server', () => {
    expect(tmux.attachArgs('flux-a', { TMUX: '/tmp/tmux-1000/flux-x,123,0' })).toEqual([
      'tmux',
      '-L',
      'flux-x',
      'switch-client',
      '-t',
      '=flux-a',
    ]);
    expect(defaultTmux.attachArgs('flux-a', { TMUX: '/tmp/tmux-1000/default,123,0' })).toEqual([
      'tmux',
      'switch-client',
      '-t',
      '=flux-a',
    ]);
  });

  it('nests, with TMUX unset, when inside a client of another server', () => {
    expect(tmux.attachArgs('flux-a', { TMUX: '/tmp/tmux-1000/default,123,0' })).toEqual([
      'env',
      '-u',
      'TMUX',
      'tmux',
      '-L',
      'flux-x',
      'attach-session',
      '-t',
      '=flux-a',
    ]);
  });
});
