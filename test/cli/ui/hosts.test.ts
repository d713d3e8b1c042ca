/**
 * The dashboard where hosts are in use: a HOST column only then (and the
 * first to go on a narrow terminal), an unreachable host in the header and
 * marked `box1 ✗` on its rows, the selected stage's host in the details;
 * the pane screen says where the session is.
 */
import { describe, expect, it } from 'vitest';
import { Dashboard, type Size } from '../../../src/cli/ui/controller.js';
import { frameLines } from '../../../src/cli/ui/frame.js';
import { columns } from '../../../src/cli/ui/frame/table.js';
import { buildModel } from '../../../src/cli/ui/model.js';
import type { NewEvent } from '../../../src/log/events.js';
import { waitFor } from '../../helpers/wait.js';
import { authLog, fakeActions, fakeShell, Log, PLAN } from './fixtures.js';

/** stage-1 on box1 (working), stage-2 here (working), stage-3 not started. */
function hostLog(): Log {
  const start = (stage: string, host?: string): NewEvent[] => [
    { type: 'stage.started', stage, session: `${stage}.s1` },
    {
      type: 'session.started',
      session: `${stage}.s1`,
      stage,
      agent: 'sim',
      tmux: `flux-${stage}`,
      ...(host === undefined ? {} : { host }),
    },
    { type: 'session.working', session: `${stage}.s1` },
  ];
  return new Log().add(
    { type: 'plan.initialized', plan: { ...PLAN, title: 'Across hosts' }, base_branch: 'main' },
    { type: 'stage.ready', stage: 'stage-1-models' },
    ...start('stage-1-models', 'box1'),
  );
}

function screen(log: Log, size: Size, hosts: string[] = []) {
  const dashboard = new Dashboard(fakeActions(log, { hosts }), fakeShell(), {
    size,
    color: false,
    now: () => log.now,
  });
  const text = () =>
    frameLines(dashboard.getState())
      .map((line) => line.map((segment) => segment.text).join(''))
      .join('\n');
  return { dashboard, text };
}

const headerOf = (text: string): string => text.split('\n').find((line) => line.includes('STAGE'))!;
/** The table's row of a stage (the lines above the table name stages too). */
const rowOf = (text: string, id: string): string => {
  const lines = text.split('\n');
  return lines.slice(lines.indexOf(headerOf(text))).find((line) => line.slice(2).startsWith(id))!;
};

describe('the dashboard: HOST column', () => {
  it('absent when no stage is on a host and the config names none', () => {
    const { text } = screen(authLog(), { columns: 120, rows: 30 });
    expect(headerOf(text())).not.toContain('HOST');
  });

  it('present when a stage is on a host: box1 on its row, nothing for a stage not started', () => {
    const { text } = screen(hostLog(), { columns: 120, rows: 30 });
    const header = headerOf(text());
    expect(header).toMatch(/SESSION\s+HOST\s+CONTEXT/);
    const at = header.indexOf('HOST');
    expect(rowOf(text(), 'stage-1-models').slice(at, at + 4)).toBe('box1');
    expect(
      rowOf(text(), 'stage-2-api')
        .slice(at, at + 6)
        .trim(),
    ).toBe('');
  });

  it('present when the config names hosts, even with every stage here', () => {
    const { text } = screen(authLog(), { columns: 120, rows: 30 }, ['box1']);
    const header = headerOf(text());
    expect(header).toContain('HOST');
    const at = header.indexOf('HOST');
    expect(rowOf(text(), 'stage-2-api').slice(at, at + 5)).toBe('local');
  });

  it('the first to go on a narrow terminal: the stage id and the rest keep their room', () => {
    const log = hostLog();
    const wide = buildModel(log.state, { running: false }, undefined, ['box1']);
    const at80 = columns(80, wide.rows, wide.hosts);
    expect(at80.host).toBe(4);
    const at60 = columns(60, wide.rows, wide.hosts);
    expect(at60.host).toBe(0);
    // Without the column the stage id is as wide as it was without hosts.
    expect(at60.stage).toBe(columns(60, wide.rows).stage);
    const { text } = screen(log, { columns: 60, rows: 30 }, ['box1']);
    expect(headerOf(text())).not.toContain('HOST');
    for (const line of text().split('\n')) expect([...line].length).toBeLessThanOrEqual(60);
  });

  it('fits the width at 80 columns with the column shown', () => {
    const { text } = screen(hostLog(), { columns: 80, rows: 24 });
    expect(headerOf(text())).toContain('HOST');
    for (const line of text().split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
  });
});

describe('the dashboard: a host Flux cannot reach', () => {
  const cut = (): Log =>
    hostLog().add({
      type: 'host.unreachable',
      host: 'box1',
      reason: 'ssh: connect to host box1 port 22: Connection refused',
    });

  it('the header says so, since when and why; its rows show box1 ✗', () => {
    const log = cut();
    const since = new Date(log.now).toTimeString().slice(0, 5);
    const { text } = screen(log, { columns: 120, rows: 30 });
    expect(text()).toContain(
      `host box1 unreachable since ${since} (ssh: connect to host box1 port 22: Connection refused)`,
    );
    const at = headerOf(text()).indexOf('HOST');
    expect(rowOf(text(), 'stage-1-models').slice(at, at + 6)).toBe('box1 ✗');
  });

  it("the selected stage's details name its host and that it cannot be reached", () => {
    const { text } = screen(cut(), { columns: 120, rows: 30 });
    const details = text().split('─'.repeat(120))[1]!;
    expect(details).toMatch(
      /stage-1-models: Data Models · on box1 · stage-1-models\.s1 in tmux flux-stage-1-models/,
    );
    expect(details).toContain('host box1 unreachable since');
  });

  it('host.reachable takes it away again', () => {
    const log = cut().add({ type: 'host.reachable', host: 'box1' });
    const { text } = screen(log, { columns: 120, rows: 30 });
    expect(text()).not.toContain('unreachable');
    expect(text()).not.toContain('✗');
  });
});

describe('the dashboard: the pane screen of a session on a host', () => {
  it('says which host the tmux session is on', async () => {
    const log = hostLog();
    const { dashboard, text } = screen(log, { columns: 120, rows: 30 });
    dashboard.key('l', {});
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toContain('Pane of stage-1-models (tmux flux-stage-1-models on box1), live');
  });
});

describe('the dashboard: attaching to a session on a host', () => {
  it('enter hands the terminal to the ssh argv the attach gives, and says ssh on the way back', async () => {
    const log = hostLog();
    const argv = ['ssh', '-t', 'me@box1.lan', 'tmux -L flux-box1 attach-session -t =flux-stage-1-models'];
    const actions = { ...fakeActions(log), attach: async () => ({ argv, banner: '' }) };
    const shell = fakeShell();
    const dashboard = new Dashboard(actions, shell, {
      size: { columns: 120, rows: 30 },
      color: false,
      now: () => log.now,
    });
    dashboard.key('', { return: true });
    await waitFor(() => (dashboard.getState().message === null ? undefined : true), {
      what: 'the message after attaching',
    });
    expect(shell.ran).toEqual([argv]);
    expect(dashboard.getState().message?.lines).toEqual([
      "Back from stage-1-models's session (ssh exited 0).",
    ]);
  });
});
