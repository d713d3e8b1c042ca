/**
 * The dashboard rendered by Ink (ink-testing-library) from a folded state:
 * given events → the frame's text; keys → what the actions were asked and
 * what the screen shows. The actions and the terminal are fakes here; the
 * real ones run end to end in test/cli/ui/e2e.test.ts.
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../src/cli/ui/components/App.js';
import { Dashboard, type Size } from '../../../src/cli/ui/controller.js';
import { bellFor } from '../../../src/cli/ui/start.js';
import { stripAnsi } from '../../../src/cli/ui/text.js';
import { waitFor } from '../../helpers/wait.js';
import { authLog, fakeActions, fakeShell, type Log } from './fixtures.js';

const KEYS = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
  backspace: '\u007F',
};

const mounted: Array<{ unmount(): void }> = [];
afterEach(() => {
  for (const ui of mounted.splice(0)) ui.unmount();
});

function mount(
  log: Log,
  options: { size?: Size; color?: boolean; actions?: ReturnType<typeof fakeActions> } = {},
) {
  const actions = options.actions ?? fakeActions(log);
  const shell = fakeShell();
  const dashboard = new Dashboard(actions, shell, {
    size: options.size ?? { columns: 80, rows: 24 },
    color: options.color ?? false,
    now: () => log.now + 65_000,
  });
  const ui = render(<App dashboard={dashboard} />);
  mounted.push(ui);
  // The visible text: bold, dim and inverse are SGR codes in the frame, colour or not.
  const frame = (): string => stripAnsi(ui.lastFrame() ?? '');
  return {
    ui,
    dashboard,
    actions,
    shell,
    frame,
    /** Types keys and waits for the frame to match. */
    press: async (keys: string, until: RegExp | ((frame: string) => boolean)) => {
      ui.stdin.write(keys);
      return waitFor(
        () => {
          const text = frame();
          const matches =
            typeof until === 'function' ? until(text) : until.test(text) || until.test(flat(text));
          return matches ? text : undefined;
        },
        { what: `${String(until)} after ${JSON.stringify(keys)}`, timeoutMs: 3000, intervalMs: 10 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n--- frame ---\n${frame()}`);
      });
    },
  };
}

function lineOf(frame: string, text: string): string {
  const line = frame.split('\n').find((l) => l.includes(text));
  if (line === undefined) throw new Error(`no line with ${text} in\n${frame}`);
  return line;
}

/** The table's row of a stage (the attention list names stages too). */
function rowOf(frame: string, id: string): string {
  const lines = frame.split('\n');
  const header = lines.findIndex((l) => /^ {2}STAGE +STATE/.test(l));
  const line = lines.slice(header + 1).find((l) => l.slice(2).startsWith(`${id} `));
  if (header < 0 || line === undefined) throw new Error(`no row of ${id} in\n${frame}`);
  return line;
}

/** The frame with every run of white space (line breaks of wrapped text too) as one space. */
const flat = (frame: string): string => frame.replace(/\s+/g, ' ');

describe('the main screen, from a folded state', () => {
  it('header: title, progress with its bar, supervisor, cost', () => {
    const { frame } = mount(authLog());
    const [title, progress] = frame().split('\n');
    expect(title).toMatch(/^Implement User Authentication +supervisor: not running$/);
    expect(progress).toMatch(/^███░░░░░░░ 1 of 3 merged · 1 running · 1 completed +cost —$/);
  });

  it('the supervisor, when it runs, and the cost, when sessions have one', () => {
    const log = authLog();
    log.state.sessions['stage-2-api.s1']!.costUsd = 1.25;
    log.state.sessions['stage-1-models.s1']!.costUsd = 0.5;
    const actions = fakeActions(log, {
      supervisor: {
        running: true,
        pid: 4242,
        since: '2026-11-21T10:00:00.000Z',
        version: '0.1.0',
        log: 'logs/supervisor.log',
      },
    });
    const { frame } = mount(log, { actions });
    expect(frame().split('\n')[0]).toMatch(/supervisor: running \(pid 4242, since \d\d:\d\d\)$/);
    expect(frame().split('\n')[1]).toMatch(/cost \$1\.75$/);
    expect(rowOf(frame(), 'stage-2-api')).toContain('$1.25');
  });

  it('the merge queue under the progress, in merge order, while something waits to land', () => {
    const log = authLog();
    expect(mount(log).frame()).not.toContain('merge queue');
    log.add(
      { type: 'stage.verified', stage: 'stage-3-frontend', by: 'human' },
      {
        type: 'merge.checking',
        stage: 'stage-3-frontend',
        commit: 'c0ffee00',
        base_commit: '0ef5d4d5d925aa',
        commands: ['npm test'],
      },
    );
    expect(mount(log).frame().split('\n')[2]).toBe('merge queue: 1 stage-3-frontend checking');
  });

  it('waiting on you: the permission question first, then the review, each with its key', () => {
    const { frame } = mount(authLog());
    const text = frame();
    expect(text).toContain('Waiting on you (2)');
    expect(lineOf(text, 'permission for Bash')).toMatch(
      /^▸ stage-2-api +permission for Bash: curl -o schema\.j.*… {2}\[a approve · d deny\]$/,
    );
    expect(lineOf(text, 'review and approve')).toMatch(
      /^ {2}stage-3-frontend +review and approve or reject +\[v review\]$/,
    );
  });

  it('one row per stage: state, session state, context meter, time, note (no COST column while no cost is known)', () => {
    const { frame } = mount(authLog());
    const text = frame();
    expect(text).toMatch(/^ {2}STAGE +STATE +SESSION +CONTEXT +TIME +NOTE$/m);
    expect(rowOf(text, 'stage-1-models')).toMatch(/stage-1-models +merged +ended +█░░░ 18% +4s$/);
    // The selected row (▸) asks; its clock runs (now is 65 s after the last event).
    expect(rowOf(text, 'stage-2-api')).toMatch(/^▸ /);
    expect(rowOf(text, 'stage-2-api')).toMatch(
      /running +permission +██░░ 42% +1m\d\ds +asks Bash: curl -o sc…$/,
    );
    expect(rowOf(text, 'stage-3-frontend')).toMatch(/completed +ended +███░ 81% +\d+s$/);
  });

  it('at 160 columns: the COST column, each state in full', () => {
    const { frame } = mount(authLog(), { size: { columns: 160, rows: 45 } });
    const text = frame();
    expect(text).toMatch(/^ {2}STAGE +STATE +SESSION +CONTEXT +COST +TIME +NOTE$/m);
    expect(rowOf(text, 'stage-2-api')).toMatch(
      /running +permission +██░░ 42% +— +1m\d\ds +asks Bash: curl -o schema\.json https:\/\/example\.invalid\/schemas\/auth\/v2\/schema\.json --retry…$/,
    );
  });

  it('the selected stage in full: the whole permission question, wrapped', () => {
    const { frame } = mount(authLog());
    const text = frame();
    // The first line is cut to the width; the question is given in full below it.
    expect(
      lineOf(text, 'stage-2-api: API Endpoints · after stage-1-models · stage-2-api.s1 in tmux flux…'),
    ).toHaveLength(80);
    const asked = text.slice(text.indexOf('asks permission for'));
    expect(flat(asked)).toContain(
      'asks permission for Bash: curl -o schema.json https://example.invalid/schemas/auth/v2/schema.json --retry 3',
    );
  });

  it('a refused merge: its reason and hint', () => {
    const log = authLog().add(
      { type: 'stage.verified', stage: 'stage-3-frontend', by: 'human' },
      {
        type: 'stage.merge_failed',
        stage: 'stage-3-frontend',
        reason: 'uncommitted changes in /repo would be overwritten by the merge: shared.txt',
        conflicts: [],
        hint: 'commit or stash your changes in /repo, then merge again',
      },
    );
    const { frame, press } = mount(log);
    return press(KEYS.down, /▸ stage-3-frontend/).then((text) => {
      expect(lineOf(text, 'merge did not happen')).toContain('[m merge]');
      expect(flat(text)).toContain(
        'reason: uncommitted changes in /repo would be overwritten by the merge: shared.txt',
      );
      expect(flat(text)).toContain('hint: commit or stash your changes in /repo, then merge again');
      expect(rowOf(frame(), 'stage-3-frontend')).toContain('verified');
    });
  });

  it('redraws when the log grows: the question answered, the stage completed', () => {
    const log = authLog();
    const { frame, dashboard } = mount(log);
    expect(frame()).toContain('Waiting on you (2)');
    log.add(
      { type: 'session.permission_answered', session: 'stage-2-api.s1', decision: 'allow' },
      { type: 'stage.completed', stage: 'stage-2-api', forced: false },
    );
    dashboard.refresh();
    return waitFor(
      () => (/Waiting on you \(2\)[\s\S]*stage-2-api +review and approve/.test(frame()) ? true : undefined),
      {
        timeoutMs: 3000,
      },
    );
  });
});

describe('the bell ([notify] bell)', () => {
  const notice = (key: string) =>
    ({
      type: 'notification.sent',
      key,
      kind: 'permission',
      stage: 'stage-2-api',
      title: 'stage-2-api asks for permission',
      message: 'Bash: curl',
    }) as const;

  it('rings once for each look at the log that finds a new notice; not for those from before it opened', () => {
    const log = authLog().add(notice('permission:before'));
    let rings = 0;
    const dashboard = new Dashboard(fakeActions(log), fakeShell(), {
      size: { columns: 80, rows: 24 },
      color: false,
      onNotice: () => void rings++,
    });
    dashboard.refresh();
    expect(rings).toBe(0);
    log.add({ type: 'session.context', session: 'stage-2-api.s1', percent: 31 });
    dashboard.refresh();
    expect(rings).toBe(0);
    log.add(notice('permission:stage-2-api.s1:1'));
    dashboard.refresh();
    expect(rings).toBe(1);
    dashboard.refresh();
    expect(rings).toBe(1);
    log.add(notice('review:stage-3-frontend:2'), notice('crash:stage-4:3'));
    dashboard.refresh();
    expect(rings).toBe(2);
  });

  it('writes BEL to the terminal when [notify] bell is true, and nothing when it is false', () => {
    const written: string[] = [];
    const out = { write: (text: string) => void written.push(text) };
    bellFor(true, out)?.();
    expect(written).toEqual(['\u0007']);
    expect(bellFor(false, out)).toBeUndefined();
  });
});

describe('keys', () => {
  it('↑/↓ and j/k move the selection; tab jumps to the next stage waiting on you', async () => {
    const { press } = mount(authLog());
    await press(KEYS.down, /▸ stage-3-frontend/);
    await press('k', /▸ stage-2-api /);
    await press(KEYS.up, /▸ stage-1-models /);
    await press('j', /▸ stage-2-api /);
    await press(KEYS.tab, /▸ stage-3-frontend +completed/);
    const text = await press(KEYS.tab, /▸ stage-2-api +running/);
    expect(text).toContain('stage-2-api: API Endpoints');
  });

  it('? shows the help over the screen; esc closes it', async () => {
    const { press } = mount(authLog());
    const help = await press('?', /^Keys$/m);
    expect(help).toMatch(/^ {2}a +allow what its agent asks permission for \(flux approve\)$/m);
    expect(help).toMatch(/^ {2}v +review it/m);
    expect(help).not.toContain('Waiting on you');
    await press(KEYS.escape, /Waiting on you/);
  });

  it("a allows the selected stage's question", async () => {
    const { press, actions } = mount(authLog());
    const text = await press('a', /Allowed the question of stage-2-api\./);
    expect(actions.calls).toEqual([{ action: 'approvePermission', args: ['stage-2-api'] }]);
    expect(text).toContain('Waiting on you (1)');
  });

  it('d asks for a reason in an input line, then denies with it', async () => {
    const { press, actions } = mount(authLog());
    const prompt = await press('d', /Reason for the agent \(optional\):/);
    expect(prompt).toContain('Deny Bash: curl -o schema.json');
    await press('no network', /> no network/);
    await press(KEYS.backspace + KEYS.backspace + 'ok', /> no netwook/);
    const text = await press(KEYS.enter, /Denied the question of stage-2-api \(no netwook\)\./);
    expect(actions.calls).toEqual([{ action: 'denyPermission', args: ['stage-2-api', 'no netwook'] }]);
    expect(text).not.toContain('Reason for the agent');
  });

  it('esc in the input line cancels: nothing is denied', async () => {
    const { press, actions } = mount(authLog());
    await press('d', /Reason for the agent/);
    await press('x', /> x/);
    await press(KEYS.escape, (frame) => !frame.includes('Reason for the agent'));
    expect(actions.calls).toEqual([]);
  });

  it('a refusal is a message with its hint, and nothing else happens', async () => {
    const { press } = mount(authLog());
    await press(KEYS.down, /▸ stage-3-frontend/);
    const text = await press('a', /error: stage-3-frontend is not waiting for a permission answer/);
    expect(text).toContain('hint: `flux status` lists what waits on you');
    await press(KEYS.escape, (frame) => !frame.includes('error:'));
  });

  it('m merges, r resumes, l shows the pane, enter attaches through the terminal', async () => {
    const { press, actions, shell } = mount(authLog());
    await press('m', /Merged stage-2-api\./);
    await press('r', /Resumed stage-2-api\./);
    const pane = await press('l', /Pane of stage-2-api \(tmux flux-stage-2-api\), live/);
    expect(pane).toContain('test result: ok');
    await press(KEYS.escape, /Waiting on you/);
    await press(KEYS.enter, /Back from stage-2-api's session \(tmux exited 0\)\./);
    expect(shell.ran).toEqual([['tmux', 'attach-session', '-t', '=flux-stage-2-api']]);
    expect(actions.calls.map((c) => c.action)).toEqual(['merge', 'resume', 'pane', 'attach']);
  });

  it('g shows the DAG (as flux graph show), g again the table', async () => {
    const { press } = mount(authLog());
    const dag = await press('g', /LAYER +STAGE +STATE +DEPENDS ON/);
    expect(dag).toMatch(/^▸ 2 +stage-2-api +running +← stage-1-models$/m);
    await press('g', /STAGE +STATE +SESSION +CONTEXT/);
  });

  it('q quits with 0, Ctrl+C with 130', async () => {
    const { ui, shell } = mount(authLog());
    ui.stdin.write('q');
    ui.stdin.write('\u0003');
    await waitFor(() => (shell.quitWith.length === 2 ? true : undefined));
    expect(shell.quitWith).toEqual([0, 130]);
  });
});

describe('the review screen', () => {
  const review = async (_id: string, sink: { line(t: string): void; output(c: string): void }) => {
    sink.line('Reviewing stage-3-frontend: Frontend Components');
    sink.line('Acceptance: 1 command(s) in .worktrees/stage-3-frontend');
    sink.line('$ npm test');
    sink.output('1 passing\n2 pass');
    sink.output('ing\n');
    sink.line('✓ npm test (0.4s)');
    sink.line('Merge into main: clean (predicted)');
  };

  it('v runs the review (acceptance output shown), then a approves and merges', async () => {
    const log = authLog();
    const actions = fakeActions(log, { review });
    const { press } = mount(log, { actions });
    await press(KEYS.down, /▸ stage-3-frontend/);
    const screen = await press('v', /Approve and merge, reject, or go back/);
    expect(screen).toMatch(/^Review stage-3-frontend 1–\d+ of \d+$/m);
    expect(screen).toContain('$ npm test\n1 passing\n2 passing\n✓ npm test (0.4s)');
    expect(screen).toContain('Diff (3 line(s); p opens it in $PAGER):');
    expect(screen).toContain('+added line');
    const back = await press('a', /Merged stage-3-frontend into main: abcdef123456/);
    expect(back).toContain('Waiting on you (1)');
    expect(actions.calls.map((c) => c.action)).toEqual(['review', 'approve']);
  });

  it('r asks why (a reason is required), then rejects with it', async () => {
    const log = authLog();
    const actions = fakeActions(log, { review });
    const { press } = mount(log, { actions });
    await press(KEYS.down, /▸ stage-3-frontend/);
    await press('v', /Approve and merge, reject/);
    await press('r', /Why is it rejected\? \(the next session is told this\)/);
    await press(KEYS.enter, /A reason is needed: say what to change\./);
    await press('tests are thin', /> tests are thin/);
    await press(KEYS.enter, /Rejected stage-3-frontend: tests are thin/);
    expect(actions.calls).toEqual([
      { action: 'review', args: ['stage-3-frontend'] },
      { action: 'reject', args: ['stage-3-frontend', 'tests are thin'] },
    ]);
  });

  it('p opens the diff in $PAGER through the terminal; esc goes back without recording', async () => {
    const log = authLog();
    const actions = fakeActions(log, { review });
    const { press, shell, ui } = mount(log, { actions });
    await press(KEYS.down, /▸ stage-3-frontend/);
    await press('v', /Approve and merge, reject/);
    ui.stdin.write('p');
    await waitFor(() => (shell.ran.length === 1 ? true : undefined));
    expect(shell.ran).toEqual([['git', 'diff', 'main...flux/stage-3-frontend']]);
    await press(KEYS.escape, /Waiting on you \(2\)/);
    expect(actions.calls.map((c) => c.action)).toEqual(['review']);
  });

  it('scrolls: the viewport moves with j/k, space and G', async () => {
    const log = authLog();
    const long = async (_id: string, sink: { line(t: string): void }) => {
      for (let i = 1; i <= 60; i++) sink.line(`line ${i}`);
    };
    const { press } = mount(log, { actions: fakeActions(log, { review: long }) });
    await press(KEYS.down, /▸ stage-3-frontend/);
    const top = await press('v', /Approve and merge/);
    expect(top).toMatch(/^Review stage-3-frontend 1–20 of 65$/m);
    expect(top).toMatch(/^line 1$/m);
    await press('j', /^Review stage-3-frontend 2–21 of 65$/m);
    await press(' ', /^Review stage-3-frontend 22–41 of 65$/m);
    const end = await press('G', /^Review stage-3-frontend 46–65 of 65$/m);
    expect(end).toContain('+added line');
  });

  it('v on a stage that is not completed says why, and stays on the table', async () => {
    const { press } = mount(authLog());
    const text = await press('v', /error: stage 'stage-2-api' is running, not completed/);
    expect(text).toContain('hint: wait for it');
    expect(text).toContain('STAGE');
  });
});

describe('the terminal', () => {
  it.each([
    [80, 24],
    [160, 45],
  ])('at %i×%i every line fits, and the frame is one line shorter than the terminal', (columns, rows) => {
    const log = authLog();
    // Long names everywhere: a long plan title, a long stage id, a long reason.
    log.state.plan!.title = `A plan whose title goes on ${'and on '.repeat(30)}`;
    const { frame } = mount(log, { size: { columns, rows } });
    const lines = frame().split('\n');
    expect(lines).toHaveLength(rows - 1);
    for (const line of lines) expect([...stripAnsi(line)].length, line).toBeLessThanOrEqual(columns);
    expect(lines[0]).toContain('…');
    expect(lines.at(-1)).toContain('q quit');
  });

  it('many stages: the table scrolls to keep the selection in view', async () => {
    const log = authLog();
    for (let i = 0; i < 40; i++) {
      const id = `extra-${String(i).padStart(2, '0')}`;
      log.state.order.push(id);
      log.state.stages[id] = {
        ...log.state.stages['stage-2-api']!,
        id,
        def: { ...log.state.stages['stage-2-api']!.def, id },
        status: 'pending',
        session: null,
        sessions: [],
      };
    }
    const { press, frame } = mount(log);
    expect(frame()).not.toContain('extra-39');
    await press(KEYS.tab, /▸ stage-3-frontend/);
    await press('\u001B[F', /▸ extra-39/);
    expect(frame().split('\n')).toHaveLength(23);
  });
});
