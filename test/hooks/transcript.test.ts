import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contextFromTranscript, contextOfWindow, tokensFromTranscript } from '../../src/hooks/transcript.js';

const dir = mkdtempSync(path.join(tmpdir(), 'flux-transcript-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (type: string, usage?: object) =>
  JSON.stringify({ type, message: { role: type, ...(usage === undefined ? {} : { usage }) } });

describe('contextFromTranscript', () => {
  it("reads the last assistant message's usage: input, cache creation and cache reads, not output", () => {
    const file = path.join(dir, 't.jsonl');
    writeFileSync(
      file,
      [
        line('assistant', { input_tokens: 1000, output_tokens: 5 }),
        line('user'),
        line('assistant', {
          input_tokens: 100_000,
          cache_creation_input_tokens: 30_000,
          cache_read_input_tokens: 30_000,
          output_tokens: 999,
        }),
        line('user'),
        '',
      ].join('\n'),
    );
    expect(contextFromTranscript(file, 200_000)).toBe(80);
    expect(contextFromTranscript(file, 1_000_000)).toBe(16);
  });

  it('null without an assistant message, or without a file', () => {
    const file = path.join(dir, 'empty.jsonl');
    writeFileSync(file, `${line('user')}\n`);
    expect(contextFromTranscript(file, 200_000)).toBeNull();
    expect(contextFromTranscript(path.join(dir, 'missing.jsonl'), 200_000)).toBeNull();
  });

  it('reads only the end of a long transcript, whose first line may be cut', () => {
    const file = path.join(dir, 'long.jsonl');
    const filler = line('user').padEnd(1000, ' ');
    writeFileSync(
      file,
      [...Array.from({ length: 400 }, () => filler), line('assistant', { input_tokens: 50_000 }), ''].join(
        '\n',
      ),
    );
    expect(contextFromTranscript(file, 200_000)).toBe(25);
  });
});

describe('what is not a regular file is not read', () => {
  it('a directory, a device or a missing file: null, at once', () => {
    for (const file of [dir, '/dev/zero', '/dev/null', path.join(dir, 'nope')]) {
      expect(tokensFromTranscript(file), file).toBeNull();
    }
  });

  it('usage that is not numbers: null', () => {
    const file = path.join(dir, 'odd.jsonl');
    writeFileSync(file, `${line('assistant', { input_tokens: 'many' })}\n`);
    expect(tokensFromTranscript(file)).toBeNull();
  });

  it('a transcript counting past the window is kept at 100%; no window, no figure', () => {
    expect(contextOfWindow(300_000, 200_000)).toBe(100);
    expect(contextOfWindow(50_000, 0)).toBeNull();
    expect(contextOfWindow(null, 200_000)).toBeNull();
  });
});
