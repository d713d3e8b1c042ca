/**
 * Fitting output to the terminal: display width (escape codes count
 * nothing, wide characters two), cutting and wrapping by it, tables that
 * give up room column by column, and the width itself (COLUMNS, the
 * terminal, else 80).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { displayWidth, pointerLines, table, terminalWidth, truncate, wrap } from '../../src/cli/output.js';

const RED = (text: string): string => `\u001b[31m${text}\u001b[39m`;

describe('displayWidth', () => {
  it('counts columns, not UTF-16 units or bytes', () => {
    expect(displayWidth('stage-1-models')).toBe(14);
    expect(displayWidth(RED('failed'))).toBe(6);
    expect(displayWidth('→ · … │')).toBe(7);
    expect(displayWidth('日本語')).toBe(6);
    expect(displayWidth('🚀 go')).toBe(5);
    // e + combining acute accent: one column.
    expect(displayWidth('e\u0301')).toBe(1);
  });
});

describe('truncate', () => {
  it('leaves text that fits alone, and cuts the rest to the width with an ellipsis', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('stage-3-frontend', 10)).toBe('stage-3-f…');
    expect(displayWidth(truncate('stage-3-frontend', 10))).toBe(10);
  });

  it('keeps escape codes, closes a cut colour, and never splits a wide character', () => {
    const cut = truncate(RED('waiting_permission'), 8);
    expect(displayWidth(cut)).toBe(8);
    expect(cut.startsWith('\u001b[31m')).toBe(true);
    expect(cut.endsWith('\u001b[0m')).toBe(true);
    expect(truncate('日本語です', 6)).toBe('日本…');
  });
});

describe('wrap', () => {
  it('breaks prose at spaces within the width, with a hanging indent', () => {
    const lines = wrap(
      'Run `flux run` again after you have answered; `flux status` shows where things are.',
      40,
      {
        indent: '  ',
        hangingIndent: '    ',
      },
    );
    expect(lines).toEqual([
      '  Run `flux run` again after you have',
      '    answered; `flux status` shows where',
      '    things are.',
    ]);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(40);
  });

  it('breaks a word longer than a line, and keeps newlines', () => {
    expect(wrap('a '.repeat(3) + 'x'.repeat(12), 5)).toEqual(['a a a', 'xxxxx', 'xxxxx', 'xx']);
    expect(wrap('one\n\ntwo', 80)).toEqual(['one', '', 'two']);
  });
});

describe('table', () => {
  const header = ['STAGE', 'STATE', 'DEPENDS ON', 'SESSION'];
  const rows = [
    ['stage-1-models', 'merged', '-', 's1 (ended)'],
    ['stage-3-frontend', 'completed', 'stage-1-models, stage-2-api', 's2 (waiting_permission)'],
  ];

  it('pads columns when the rows fit', () => {
    expect(table(header, rows, { width: 200 }).split('\n')[1]).toBe(
      'stage-1-models    merged     -                            s1 (ended)',
    );
  });

  it('fits the width by cutting the columns it is told to, first group first', () => {
    const lines = table(header, rows, { width: 66, shrink: [[2], [0]] }).split('\n');
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(66);
    // The dependencies gave up room; the stage and the session are whole.
    expect(lines[2]).toBe('stage-3-frontend  completed  stage-1-mod…  s2 (waiting_permission)');
  });

  it('cuts the next group when the first cannot give more, then every column', () => {
    const at60 = table(header, rows, { width: 60, shrink: [[2], [0]] }).split('\n');
    expect(at60[2]).toBe('stage-3-front…  completed  stage-1…  s2 (waiting_permission)');
    const at50 = table(header, rows, { width: 50, shrink: [[2], [0]] }).split('\n');
    for (const line of at50) expect(displayWidth(line)).toBeLessThanOrEqual(50);
    expect(at50[2]).toBe('stage-3…  completed  stage-1…  s2 (waiting_permis…');
  });

  it('measures coloured cells by what shows', () => {
    const lines = table(['A', 'B'], [[RED('failed'), 'x']], { width: 80 }).split('\n');
    expect(lines[1]).toBe(`${RED('failed')}  x`);
  });
});

describe('pointerLines', () => {
  it('puts the command on a line of its own when the item and command do not fit on one', () => {
    expect(pointerLines('api', 'review and approve or reject', 'flux verify api', 80)).toEqual([
      '  api: review and approve or reject  →  flux verify api',
    ]);
    const long = pointerLines(
      'stage-3-frontend',
      'review and approve or reject',
      'flux verify stage-3-frontend',
      50,
    );
    expect(long).toEqual([
      '  stage-3-frontend: review and approve or reject',
      '    →  flux verify stage-3-frontend',
    ]);
  });

  it('puts each alternative of a long command on its own line', () => {
    expect(
      pointerLines(
        'stage-3-frontend',
        'permission for Bash: npm install',
        'flux approve stage-3-frontend / flux deny stage-3-frontend --reason …',
        60,
      ),
    ).toEqual([
      '  stage-3-frontend: permission for Bash: npm install',
      '    →  flux approve stage-3-frontend',
      '       or flux deny stage-3-frontend --reason …',
    ]);
  });
});

describe('terminalWidth', () => {
  const saved = process.env.COLUMNS;
  afterEach(() => {
    if (saved === undefined) delete process.env.COLUMNS;
    else process.env.COLUMNS = saved;
  });
  const stream = (isTTY: boolean, columns?: number): NodeJS.WriteStream =>
    ({ isTTY, columns }) as unknown as NodeJS.WriteStream;

  it('is COLUMNS when set, else the terminal width, else 80', () => {
    delete process.env.COLUMNS;
    expect(terminalWidth(stream(false))).toBe(80);
    expect(terminalWidth(stream(true, 132))).toBe(132);
    process.env.COLUMNS = '100';
    expect(terminalWidth(stream(true, 132))).toBe(100);
    expect(terminalWidth(stream(false))).toBe(100);
    process.env.COLUMNS = 'wide';
    expect(terminalWidth(stream(false))).toBe(80);
  });
});
