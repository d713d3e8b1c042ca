/**
 * Worktree setup with real git, real tmux and the simulated agent: each new
 * worktree gets the ignored files `.worktreeinclude` names (and only those
 * git ignores) and runs the plan's `setup`, then the stage's, before its
 * agent starts, and the acceptance sees all of it. A failing setup fails
 * the stage with the command, its exit code and its output's tail in
 * `flux status`; `flux resume` sets up again and the stage merges. A setup
 * past `run.setup_timeout` is killed.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeWorkspace,
  finalStatuses,
  fluxWorkspace,
  ofType,
  runToEnd,
  type FluxWorkspace,
  type LogEvent,
} from '../helpers/flux-run.js';

function planWith(setup: string[], stagesYaml: string): string {
  return [
    '# PLAN: Setup',
    '',
    '<!-- FLUX METADATA -->',
    '',
    '```yaml',
    'flux:',
    '  version: 1',
    `  setup: ${JSON.stringify(setup)}`,
    '  stages:',
    stagesYaml.replace(/\n+$/, ''),
    '```',
    '',
    '<!-- END FLUX METADATA -->',
    '',
  ].join('\n');
}

const GITIGNORE = ['.env', 'node_modules/', 'local/', '.setup/', 'ready.flag', ''].join('\n');
// notes.txt is matched but not ignored (never copied); local/ is ignored but not matched.
const INCLUDE = ['# what a new worktree needs', '.env', 'node_modules/', 'notes.txt', 'ready.flag', ''].join(
  '\n',
);

/** The main worktree's ignored and untracked files, written after the last commit. */
function writeUntracked(root: string): void {
  writeFileSync(path.join(root, '.env'), 'API_KEY=from-main\n');
  mkdirSync(path.join(root, 'node_modules', 'tool', 'bin'), { recursive: true });
  mkdirSync(path.join(root, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(path.join(root, 'node_modules', 'tool', 'bin', 'tool.js'), '#!/bin/sh\necho tool\n');
  chmodSync(path.join(root, 'node_modules', 'tool', 'bin', 'tool.js'), 0o755);
  symlinkSync('../tool/bin/tool.js', path.join(root, 'node_modules', '.bin', 'tool'));
  mkdirSync(path.join(root, 'local'), { recursive: true });
  writeFileSync(path.join(root, 'local', 'secret'), 'not for worktrees\n');
  writeFileSync(path.join(root, 'notes.txt'), 'untracked, not ignored\n');
}

describe('flux run: setup commands and .worktreeinclude, seen by the acceptance', () => {
  let ws: FluxWorkspace;
  let events: LogEvent[];
  let exitCode: number;

  beforeAll(async () => {
    ws = await fluxWorkspace({
      plan: planWith(
        ['mkdir -p .setup && echo plan > .setup/made'],
        `    - id: app
      name: App
      gate: auto
      setup: ["echo stage >> .setup/made"]
      acceptance:
        - "test \\"$(cat .setup/made)\\" = \\"$(printf 'plan\\\\nstage')\\""
        - "grep -q API_KEY=from-main .env"
        - "test -L node_modules/.bin/tool && test -x node_modules/tool/bin/tool.js && node_modules/.bin/tool"
        - "test ! -e local/secret && test ! -e notes.txt"
      files: ["src/**"]`,
      ),
    });
    await ws.commit('Ignore local files; list what worktrees need', {
      '.gitignore': GITIGNORE,
      '.worktreeinclude': INCLUDE,
    });
    writeUntracked(ws.root);
    ({ exitCode } = await runToEnd(ws));
    events = ws.events();
  }, 120_000);

  afterAll(async () => {
    await ws?.cleanup();
  });

  it('the stage merges: its acceptance saw both setups in order and the copied files', () => {
    expect(exitCode, describeWorkspace(ws)).toBe(0);
    expect(finalStatuses(events).stages.app).toBe('merged');
    expect(ofType(events, 'stage.acceptance_failed')).toEqual([]);
  });

  it('records the setup as events, before the agent started, with what was copied', () => {
    const [started] = ofType(events, 'setup.started', 'app');
    const [finished] = ofType(events, 'setup.finished', 'app');
    expect(started).toMatchObject({
      session: 'app.s1',
      commands: ['mkdir -p .setup && echo plan > .setup/made', 'echo stage >> .setup/made'],
      log: 'logs/setup-app.s1.log',
    });
    expect(finished).toMatchObject({ passed: true, copied: ['.env', 'node_modules/'] });
    expect((finished!.results as Array<{ exit_code: number }>).map((r) => r.exit_code)).toEqual([0, 0]);
    const working = events.findIndex((e) => e.type === 'session.working' && e.session === 'app.s1');
    expect(events.indexOf(finished!)).toBeLessThan(working);
  });

  it('keeps the full output in .work/logs/, and copies nothing into git history', async () => {
    const log = ws.read('.work/logs/setup-app.s1.log');
    expect(log).toContain('$ echo stage >> .setup/made');
    expect(log).toContain('node_modules/');
    const tracked = await ws.git(['ls-tree', '-r', '--name-only', 'main']);
    expect(tracked.split('\n')).not.toContain('.env');
    expect(tracked).not.toContain('node_modules');
    expect(tracked).not.toContain('.setup');
  });
});

describe('flux run: a failing setup fails the stage; flux resume sets it up again', () => {
  let ws: FluxWorkspace;

  beforeAll(async () => {
    ws = await fluxWorkspace({
      plan: planWith(
        [],
        `    - id: needs-flag
      name: Needs a flag
      gate: auto
      setup: ["echo checking; test -f ready.flag || { echo 'ready.flag is missing'; exit 3; }"]
      acceptance: ["test -f ready.flag"]
      files: ["src/**"]
    - id: slow
      name: Slow setup
      gate: auto
      setup: ["sleep 120"]
      files: ["lib/**"]`,
      ),
      settings: { setup_timeout: 1 },
    });
    await ws.commit('Ignore the flag; worktrees get it', {
      '.gitignore': GITIGNORE,
      '.worktreeinclude': INCLUDE,
    });
  }, 60_000);

  afterAll(async () => {
    await ws?.cleanup();
  });

  it('fails both stages; `flux status` names the command, its exit code and its output', async () => {
    const started = Date.now();
    const result = await runToEnd(ws);
    expect(Date.now() - started, 'the timed-out setup was killed, not waited for').toBeLessThan(60_000);
    // It returns (exit 0) once nothing can move without a person (docs/run.md).
    expect(result.exitCode, describeWorkspace(ws)).toBe(0);
    const events = ws.events();
    expect(finalStatuses(events).stages).toEqual({ 'needs-flag': 'failed', slow: 'failed' });
    expect(ofType(events, 'setup.finished', 'needs-flag')[0]).toMatchObject({
      passed: false,
      results: [expect.objectContaining({ exit_code: 3, output_tail: 'checking\nready.flag is missing' })],
    });
    expect(ofType(events, 'setup.finished', 'slow')[0]).toMatchObject({
      passed: false,
      results: [expect.objectContaining({ command: 'sleep 120', timed_out: true, exit_code: null })],
    });
    // No agent ever started for either.
    expect(ofType(events, 'session.working')).toEqual([]);

    const status = await ws.flux(['status']);
    expect(status.stdout).toContain('Setup of needs-flag failed:');
    expect(status.stdout).toMatch(
      /Setup of needs-flag failed: `echo checking; test -f[\s\S]*exit 3; }` exited with 3/,
    );
    expect(status.stdout).toContain('│ ready.flag is missing');
    expect(status.stdout).toContain('full output: .work/logs/setup-needs-flag.s1.log');
    expect(status.stdout).toContain('Setup of slow failed: `sleep 120` timed out');
    expect(ws.read('.work/logs/setup-needs-flag.s1.log')).toContain('ready.flag is missing');
  }, 120_000);

  it('after the fix, `flux resume` copies and sets up again, then the agent works and the stage merges', async () => {
    writeFileSync(path.join(ws.root, 'ready.flag'), 'ok\n');
    const resumed = await ws.flux(['resume', 'needs-flag']);
    expect(resumed.exitCode, `${resumed.stdout}\n${resumed.stderr}`).toBe(0);
    await runToEnd(ws);
    const events = ws.events();
    expect(finalStatuses(events).stages['needs-flag'], describeWorkspace(ws)).toBe('merged');
    const finished = ofType(events, 'setup.finished', 'needs-flag');
    expect(finished.map((e) => [e.session, e.passed])).toEqual([
      ['needs-flag.s1', false],
      ['needs-flag.s2', true],
    ]);
    expect(finished[1]!.copied).toEqual(['ready.flag']);
    expect(existsSync(path.join(ws.root, '.worktrees', 'needs-flag'))).toBe(false);
    expect(readFileSync(path.join(ws.root, '.work', 'logs', 'setup-needs-flag.s2.log'), 'utf8')).toContain(
      'checking',
    );
  }, 120_000);
});

describe('flux run: a .worktreeinclude that cannot be read', () => {
  let ws: FluxWorkspace;

  beforeAll(async () => {
    ws = await fluxWorkspace({
      plan: planWith(
        ['echo never'],
        `    - id: unreadable
      name: Unreadable include
      gate: auto
      files: ["src/**"]`,
      ),
    });
    mkdirSync(path.join(ws.root, '.worktreeinclude'));
  }, 60_000);

  afterAll(async () => {
    await ws?.cleanup();
  });

  it('fails the stage naming the file, runs no setup command and starts no agent', async () => {
    await runToEnd(ws);
    const events = ws.events();
    expect(finalStatuses(events).stages.unreadable, describeWorkspace(ws)).toBe('failed');
    const message = `cannot read ${path.join(ws.root, '.worktreeinclude')}: it is a directory`;
    expect(ofType(events, 'setup.finished', 'unreadable')[0]).toMatchObject({
      passed: false,
      results: [],
      error: message,
    });
    expect(ofType(events, 'session.working')).toEqual([]);
    const status = await ws.flux(['status']);
    expect(status.stdout.replace(/\s+/g, ' ')).toContain(`Setup of unreadable failed: ${message}`);
  }, 120_000);
});
