/**
 * `flux status` where hosts are in use: the HOST column (only then), the
 * unreachable host said under the progress line and marked `box1 ✗` on its
 * stages; `flux status <stage>` with its host and its worktree there.
 */
import { describe, expect, it } from 'vitest';
import { renderStatus } from '../../src/cli/commands/status.js';
import { LiveView } from '../../src/cli/run-view.js';
import { renderStageDetail, type StageDetail } from '../../src/cli/stage-detail.js';
import { statusView } from '../../src/engine/views.js';
import type { NewEvent } from '../../src/log/events.js';
import { fold, plan, stageDef } from '../engine/spec.js';

const AT = '2026-01-01T00:00:00.000Z';
const HHMM = new Date(AT).toTimeString().slice(0, 5);
const NOW = Date.parse(AT) + 60_000;

const planned: NewEvent[] = [
  { type: 'plan.initialized', plan: plan([stageDef('api'), stageDef('ui')]), base_branch: 'main' },
  { type: 'stage.ready', stage: 'api' },
  { type: 'stage.ready', stage: 'ui' },
];

const session = (stage: string, host?: string): NewEvent[] => [
  { type: 'stage.started', stage, session: `${stage}.s1` },
  {
    type: 'session.started',
    session: `${stage}.s1`,
    stage,
    agent: 'sim',
    tmux: `flux-${stage}`,
    ...(host === undefined ? {} : { host }),
  },
];

const refused: NewEvent = {
  type: 'host.unreachable',
  host: 'box1',
  reason: 'ssh: connect to host box1 port 22: Connection refused',
};

function header(text: string): string {
  return text.split('\n').find((line) => line.startsWith('STAGE'))!;
}

/** The cell of `column` in the row of `stage` (cells are separated by two spaces or more). */
function cell(text: string, stage: string, column: string): string {
  const head = header(text);
  const row = text.split('\n').find((line) => line.startsWith(`${stage} `))!;
  return row.slice(head.indexOf(column)).split(/ {2,}/)[0]!.trim();
}

describe('flux status: the HOST column', () => {
  it('absent on one machine with no [hosts]: the table is as it was', () => {
    const text = renderStatus(statusView(fold([...planned, ...session('api')])), 120, NOW);
    expect(header(text)).toMatch(/^STAGE\s+STATE\s+DEPENDS ON\s+SESSION\s+CONTEXT\s+COST$/);
    expect(text).not.toContain('local');
  });

  it('present when a stage is on a host: box1 there, local here, - before a session', () => {
    const text = renderStatus(statusView(fold([...planned, ...session('api', 'box1')])), 120, NOW);
    expect(header(text)).toMatch(/^STAGE\s+STATE\s+DEPENDS ON\s+SESSION\s+HOST\s+CONTEXT\s+COST$/);
    expect(cell(text, 'api', 'HOST')).toBe('box1');
    expect(cell(text, 'ui', 'HOST')).toBe('-');
  });

  it('present when the config names hosts, even before any stage went there', () => {
    const view = { ...statusView(fold([...planned, ...session('ui')])), hosts: ['box1'] };
    const text = renderStatus(view, 120, NOW);
    expect(header(text)).toContain('HOST');
    expect(cell(text, 'ui', 'HOST')).toBe('local');
  });

  it('an unreachable host: said under the progress line, and box1 ✗ on its stages', () => {
    const text = renderStatus(statusView(fold([...planned, ...session('api', 'box1'), refused])), 120, NOW);
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^0 of 2 merged/);
    expect(lines[2]).toBe(
      `host box1 unreachable since ${HHMM} (ssh: connect to host box1 port 22: Connection refused)`,
    );
    expect(cell(text, 'api', 'HOST')).toBe('box1 ✗');
  });

  it('--json has host per stage and the unreachable hosts', () => {
    const view = statusView(fold([...planned, ...session('api', 'box1'), refused]));
    const json = JSON.parse(JSON.stringify(view)) as {
      stages: { id: string; host: string | null }[];
      unreachable: unknown[];
    };
    expect(json.stages.map((s) => s.host)).toEqual(['box1', null]);
    expect(json.unreachable).toEqual([
      { host: 'box1', reason: 'ssh: connect to host box1 port 22: Connection refused', since: AT },
    ]);
  });
});

describe('flux status <stage>: its host and worktree', () => {
  function detail(events: NewEvent[], extra: Partial<StageDetail> = {}): StageDetail {
    const view = statusView(fold(events));
    const row = view.stages[0]!;
    return {
      row,
      kind: 'stage',
      hostShown: 'box1 (me@box1.lan:2222)',
      unreachable: view.unreachable[0] ?? null,
      worktree: {
        host: 'box1',
        path: '/home/me/.flux/repo-1a2b3c4d/worktrees/api',
        shown: 'box1:/home/me/.flux/repo-1a2b3c4d/worktrees/api',
      },
      branch: 'flux/api',
      base: 'main',
      sessions: [{ id: 'api.s1', status: 'starting', host: 'box1', startedAt: AT, endedAt: null }],
      next: { what: 'its agent is still working', command: null },
      ...extra,
    };
  }

  it('the host as the config has it, and the worktree as box1:/path', () => {
    const text = renderStageDetail(detail([...planned, ...session('api', 'box1')]), 120, NOW);
    expect(text).toContain('  host       box1 (me@box1.lan:2222)\n');
    expect(text).toContain('  worktree   box1:/home/me/.flux/repo-1a2b3c4d/worktrees/api\n');
    expect(text).toContain('  session    api.s1 starting · tmux flux-api');
    expect(text).toContain('  sessions   s1 starting on box1');
  });

  it('a host that cannot be reached: marked, with since when and why', () => {
    const text = renderStageDetail(detail([...planned, ...session('api', 'box1'), refused]), 200, NOW);
    expect(text).toContain(
      `  host       box1 ✗ (me@box1.lan:2222): host box1 unreachable since ${HHMM} (ssh: connect to host box1 port 22: Connection refused)`,
    );
  });

  it('a stage here has no host line of a host, and its local worktree', () => {
    const text = renderStageDetail(
      detail([...planned, ...session('api')], {
        hostShown: 'local',
        worktree: { host: null, path: '/repo/.worktrees/api', shown: '/repo/.worktrees/api' },
      }),
      120,
      NOW,
    );
    expect(text).toContain('  host       local\n');
    expect(text).toContain('  worktree   /repo/.worktrees/api\n');
    expect(text).not.toContain('✗');
  });
});

describe("flux run's live table", () => {
  /** What the view writes, as lines (no cursor movement on the first frame). */
  function frame(events: NewEvent[]): string[] {
    let written = '';
    const out = {
      isTTY: true,
      columns: 120,
      write: (text: string) => {
        written += text;
        return true;
      },
      on: () => out,
      off: () => out,
    };
    new LiveView(out as unknown as NodeJS.WriteStream).update(fold(events), []);
    return written.split('\n');
  }

  it('a HOST column and the unreachable line where a stage is on a host', () => {
    const lines = frame([...planned, ...session('api', 'box1'), refused]);
    const header = lines.find((line) => line.startsWith('STAGE'))!;
    expect(header).toMatch(/^STAGE\s+STATE\s+SESSION\s+AGENT\s+HOST\s+CONTEXT$/);
    expect(lines.find((line) => line.startsWith('api '))).toMatch(/\sbox1 ✗/);
    // The live view reads the clock: the time of day, with its date when that is not today.
    const hhmm = new Date(AT).toTimeString().slice(0, 5);
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^host box1 unreachable since (\\d{4}-\\d\\d-\\d\\d )?${hhmm} \\(ssh: connect to host box1 port 22: Connection refused\\)$`,
        ),
      ),
    );
  });

  it('none on one machine', () => {
    const lines = frame([...planned, ...session('api')]);
    expect(lines.find((line) => line.startsWith('STAGE'))).toMatch(
      /^STAGE\s+STATE\s+SESSION\s+AGENT\s+CONTEXT$/,
    );
  });
});
