/**
 * The live view of `flux run` on a terminal narrower than its lines: drawn
 * into a small terminal emulator (auto-wrap at the last column, cursor up,
 * erase below), every redraw must replace the last frame exactly, and the
 * run must end with what waits on you said once.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { closingSummary, LiveView, physicalRows } from '../../src/cli/run-view.js';
import type { NewEvent } from '../../src/log/events.js';
import { fold, plan, stageDef } from '../engine/spec.js';

/** Just enough of a VT100 for the view: printable text, \n, \r, ESC[nA, ESC[J; colours ignored. */
class Terminal extends EventEmitter {
  readonly isTTY = true;
  rows: string[][] = [[]];
  row = 0;
  private col = 0;

  constructor(public columns: number) {
    super();
  }

  write(data: string): boolean {
    for (let i = 0; i < data.length; i++) {
      const ch = data[i]!;
      if (ch === '\u001b') {
        // eslint-disable-next-line no-control-regex -- the escape sequences are what it parses
        const match = /^\u001b\[([0-9;]*)([A-Za-z])/.exec(data.slice(i));
        if (match === null) continue;
        i += match[0].length - 1;
        const n = match[1] === '' ? 1 : Number(match[1]);
        if (match[2] === 'A') this.row = Math.max(0, this.row - n);
        if (match[2] === 'A') this.col = Math.min(this.col, this.columns - 1);
        if (match[2] === 'J') {
          this.rows[this.row] = this.rows[this.row]!.slice(0, this.col);
          this.rows.length = this.row + 1;
        }
        continue;
      }
      if (ch === '\n') {
        this.row++;
        this.col = 0;
      } else if (ch === '\r') {
        this.col = 0;
      } else {
        // Auto-wrap: a character past the last column goes on the next row.
        if (this.col >= this.columns) {
          this.row++;
          this.col = 0;
        }
        while (this.rows.length <= this.row) this.rows.push([]);
        this.rows[this.row]![this.col] = ch;
        this.col++;
      }
      while (this.rows.length <= this.row) this.rows.push([]);
    }
    return true;
  }

  screen(): string[] {
    return this.rows.map((cells) =>
      Array.from(cells, (c) => c ?? ' ')
        .join('')
        .trimEnd(),
    );
  }
}

const LONG = 'a-rather-long-stage-name-for-a-narrow-terminal';
const events: NewEvent[] = [
  {
    type: 'plan.initialized',
    plan: plan([stageDef(LONG), stageDef('stage-2-api', [LONG]), stageDef('stage-3-frontend', [LONG])]),
    base_branch: 'main',
  },
  { type: 'stage.ready', stage: LONG },
  { type: 'stage.started', stage: LONG, session: `${LONG}.s1` },
  { type: 'session.started', session: `${LONG}.s1`, stage: LONG, agent: 'sim', tmux: `flux-${LONG}` },
  {
    type: 'session.waiting_permission',
    session: `${LONG}.s1`,
    tool: 'Bash',
    detail: 'npm install --save-dev some-package-with-a-long-name another-one',
  },
];

const asStream = (term: Terminal): NodeJS.WriteStream => term as unknown as NodeJS.WriteStream;

describe('the live view', () => {
  it('counts the rows a frame takes by its width', () => {
    expect(physicalRows(['x'.repeat(40), '', 'x'.repeat(41)], 40)).toBe(4);
  });

  it('redraws in place on a terminal narrower than its lines: one frame on screen, each line within the width', () => {
    const term = new Terminal(40);
    const view = new LiveView(asStream(term));
    const state = fold(events);
    for (let i = 0; i < 3; i++) {
      view.note(`note ${i}: ${'something happened '.repeat(4)}`);
      view.update(state, []);
    }
    const screen = term.screen().filter((line) => line !== '');
    // The title line is drawn once: no stale copy of an earlier frame is left above.
    expect(screen.filter((line) => line.startsWith('Test plan'))).toHaveLength(1);
    expect(screen.filter((line) => line.startsWith('STAGE'))).toHaveLength(1);
    for (const row of term.rows) expect(row.length).toBeLessThanOrEqual(40);
  });

  it('redraws cleanly after the terminal gets narrower', () => {
    const term = new Terminal(100);
    const view = new LiveView(asStream(term));
    const state = fold(events);
    view.update(state, []);
    // The terminal re-wraps what is on screen to its new width.
    term.columns = 45;
    const rewrapped = term
      .screen()
      .flatMap((line) => (line.length === 0 ? [''] : (line.match(/.{1,45}/g) ?? [])));
    term.rows = rewrapped.map((line) => [...line]);
    term.row = term.rows.length - 1;
    term.emit('resize');
    view.update(state, []);
    const screen = term.screen();
    expect(screen.filter((line) => line.startsWith('Test plan'))).toHaveLength(1);
  });

  it('ends a settled run with "Waiting on you" once, in the summary', () => {
    const term = new Terminal(80);
    const view = new LiveView(asStream(term));
    const state = fold(events);
    view.update(state, []);
    view.close(state, 'settled');
    const screen = term.screen().join('\n');
    expect(screen.match(/Waiting on you:/g)).toHaveLength(1);
    expect(screen).toContain('Nothing more can move without you.');
    expect(screen).toMatch(/→ {2}flux approve a-rather-long/);
  });
});

describe('the closing summary', () => {
  it('fits the width it is given', () => {
    const state = fold(events);
    for (const width of [80, 50]) {
      const lines = closingSummary(state, 'settled', width);
      expect(lines.join('\n')).toContain('Waiting on you:');
      for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(width);
    }
  });
});
