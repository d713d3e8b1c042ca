/**
 * `flux ui` end to end, as a person uses it: a real tmux pane (a server of
 * the test's own) running the built binary, keys sent with send-keys, the
 * screen read with capture-pane. A simulated agent asks for a permission;
 * the dashboard answers it (`a`), the stage completes, the review (`v`)
 * runs its acceptance command and approves it (`a`), it is merged; `q`
 * leaves the terminal as it found it: the shell's prompt, echo and
 * canonical input back on.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos } from '../../helpers/cli.js';
import { privateTmux, type PrivateTmux } from '../../helpers/private-tmux.js';
import { waitFor } from '../../helpers/wait.js';
import { makeRig, plan, type Rig } from '../human/harness.js';

const PLAN = plan(
  'Fetch and report',
  `    - id: fetch
      name: "Fetch the data"
      dependencies: []
      acceptance:
        - "test -f fetched.txt"
      files:
        - "fetched.txt"
    - id: watch
      name: "Watch the logs"
      dependencies: []
      acceptance: []
      files:
        - "watch.md"
    - id: report
      name: "Report on it"
      dependencies: [fetch]
      acceptance: []
      files:
        - "report.md"`,
);

const ASKING = {
  turns: [
    {
      say: 'I need the network.',
      context: 20,
      actions: [{ permission: { tool: 'Bash', input: { command: 'curl https://example.invalid/data' } } }],
    },
    {
      say: 'Writing what I fetched.',
      context: 35,
      actions: [
        { write: { path: 'fetched.txt', content: 'ok\n' } },
        { commit: 'Fetch the data' },
        { flux: ['done'] },
      ],
    },
  ],
};

/** An agent that stays at work: a stage with a live session to look at and attach to. */
const WATCHING = { turns: [{ say: 'Watching the logs.', context: 10, actions: [{ sleep: 600_000 }] }] };

/** A person's terminal: `flux ui` in a pane, then an interactive shell in the same pane. */
interface Pane {
  screen(): Promise<string>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  keys(...keys: string[]): Promise<void>;
  resize(columns: number, rows: number): Promise<void>;
  /** tmux's view of the pane: the alternate screen on, the cursor shown. */
  modes(): Promise<{ alternate: boolean; cursor: boolean }>;
}

async function openPane(
  server: PrivateTmux,
  rig: Rig,
  columns: number,
  rows: number,
  name = 'person',
): Promise<Pane> {
  const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;
  const script = `${[process.execPath, rig.bin, 'ui'].map(quote).join(' ')}; echo "exit=$?"; PS1='person$ ' exec /bin/sh -i`;
  const env = Object.entries({ ...rig.env, TERM: 'xterm-256color' }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const created = await server.tmux([
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    String(columns),
    '-y',
    String(rows),
    '-c',
    rig.root,
    ...env,
    '--',
    '/bin/sh',
    '-c',
    script,
  ]);
  if (created.exitCode !== 0) throw new Error(`cannot open the pane: ${created.stderr}`);
  const screen = async (): Promise<string> =>
    (await server.tmux(['capture-pane', '-p', '-t', `=${name}:`])).stdout;
  return {
    screen,
    waitFor: (pattern, timeoutMs = 30_000) =>
      waitFor(
        async () => {
          const text = await screen();
          return pattern.test(text) ? text : undefined;
        },
        { timeoutMs, intervalMs: 100, what: `${pattern} in the pane` },
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}; the pane:\n${await screen()}`);
      }),
    keys: async (...keys) => {
      await server.tmux(['send-keys', '-t', `=${name}:`, ...keys]);
    },
    modes: async () => {
      const out = await server.tmux([
        'display-message',
        '-p',
        '-t',
        `=${name}:`,
        '#{alternate_on} #{cursor_flag}',
      ]);
      const [alternate, cursor] = out.stdout.trim().split(' ');
      return { alternate: alternate === '1', cursor: cursor === '1' };
    },
    resize: async (x, y) => {
      await server.tmux(['resize-window', '-t', `=${name}:`, '-x', String(x), '-y', String(y)]);
    },
  };
}

describe('flux ui in a terminal', () => {
  let rig: Rig;
  let person: PrivateTmux;
  beforeAll(async () => {
    rig = await makeRig(PLAN, { fetch: ASKING, watch: WATCHING });
    person = privateTmux();
  });
  afterAll(async () => {
    await person.killServer();
    await rig.cleanup();
    await cleanupTempRepos();
  });

  it('answers a permission question, reviews and merges the stage, and gives the terminal back', async () => {
    // The dashboard first, with nothing running yet: it follows the run as the log grows.
    const pane = await openPane(person, rig, 160, 45);
    const before = await pane.waitFor(/q quit/);
    expect(await pane.modes()).toEqual({ alternate: true, cursor: false });
    expect(before).toMatch(/^Fetch and report +supervisor: not running$/m);
    expect(before).toMatch(/^▸ fetch +ready/m);
    expect(before).not.toContain('Waiting on you');

    const run = rig.startRun();
    try {
      // The simulated agent gives its PermissionRequest hook 10 s: the answer comes well within that.
      const asked = await pane.waitFor(/Waiting on you \(1\)/);
      expect(asked).toMatch(
        /▸ fetch +permission for Bash: curl https:\/\/example\.invalid\/data +\[a approve · d deny\]/,
      );
      expect(asked).toMatch(/^ {2}report +pending +after fetch$/m);
      // Select: down to the next stage and back up to the one that asks.
      await pane.keys('j');
      await pane.waitFor(/^▸ watch +(ready|running)/m);
      await pane.keys('k');
      await pane.waitFor(/^▸ fetch +running/m);
      await pane.keys('a');
      await pane.waitFor(/Allowed Bash: curl https:\/\/example\.invalid\/data\./);
      // The agent goes on, commits and runs `flux done`: the stage completes and waits for a review.
      const completed = await pane.waitFor(/^▸ fetch +completed/m, 60_000);
      expect(completed).toMatch(/fetch +review and approve or reject +\[v review\]/);

      // l: the pane of the agent that is still at work, live, inside the dashboard.
      await pane.keys('j');
      await pane.waitFor(/^▸ watch +running +working/m);
      await pane.keys('l');
      await pane.waitFor(/Pane of watch \(tmux flux-watch\), live[\s\S]*Watching the logs\./);
      await pane.keys('Escape');
      await pane.waitFor(/Waiting on you \(1\)/);
      // enter: the terminal goes to its tmux session; detaching comes back to the dashboard.
      await pane.keys('Enter');
      await pane.waitFor(/Watching the logs\./);
      await waitFor(async () => ((await pane.screen()).includes('Waiting on you') ? undefined : true), {
        what: 'the dashboard to give way to the agent',
      });
      await pane.keys('C-b', 'd');
      await pane.waitFor(/Back from watch's session \(tmux exited 0\)\./);
      await pane.keys('k');
      await pane.waitFor(/^▸ fetch +completed/m);

      // 80×24: the same dashboard, redrawn for the smaller terminal.
      await pane.resize(80, 24);
      const small = await pane.waitFor(/^▸ fetch +completed/m);
      expect(small.split('\n')[0]).toHaveLength(80);
      for (const line of small.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
      await pane.resize(160, 45);
      await pane.waitFor(/^Fetch and report {100,}supervisor: not running$/m);

      await pane.keys('v');
      const review = await pane.waitFor(/Approve and merge, reject, or go back/, 60_000);
      expect(review).toContain('Reviewing fetch: Fetch the data');
      expect(review).toContain('✓ test -f fetched.txt');
      expect(review).toContain('All acceptance commands pass.');
      expect(review).toContain('Merge into main: clean (predicted)');
      expect(review).toContain('+ok');

      // Approving merges it; the watching `flux run` may get there first, and then it says so.
      await pane.keys('a');
      const merged = await pane.waitFor(/(Merged|Already merged:) fetch into main: [0-9a-f]{12}/, 60_000);
      expect(merged).toMatch(/1 of 3 merged/);
      expect(merged).toContain('Approved fetch.');
      expect(await rig.stageStatus('fetch')).toBe('merged');
      expect(await rig.stageStatus('report')).not.toBe('pending');

      await pane.keys('q');
      const after = await pane.waitFor(/exit=0\s+person\$/);
      expect(after).not.toContain('Waiting on you');
      // The shell's own screen again, with its cursor.
      expect(await pane.modes()).toEqual({ alternate: false, cursor: true });
      await pane.keys('stty -a', 'Enter');
      const stty = await pane.waitFor(/icanon/);
      expect(stty).toMatch(/(^|\s)icanon(\s|$)/m);
      expect(stty).toMatch(/(^|\s)echo(\s|$)/m);
      expect(stty).not.toMatch(/(^|\s)-(icanon|echo)(\s|$)/m);
    } finally {
      await run.stop();
    }
    const answered = rig.events().filter((e) => e.type === 'session.permission_answered');
    expect(answered).toMatchObject([{ session: 'fetch.s1', decision: 'allow' }]);
    expect(rig.events().filter((e) => e.type === 'stage.verified')).toMatchObject([
      { stage: 'fetch', by: 'human' },
    ]);
  }, 180_000);

  it('Ctrl+C leaves it (exit 130) with the terminal sane', async () => {
    const pane = await openPane(person, rig, 80, 24, 'interrupted');
    await pane.waitFor(/q quit/);
    // The frame can be drawn before Ink turns the terminal raw. A Ctrl+C then is
    // the tty's SIGINT, which also ends the pane's non-interactive sh (no
    // "exit=" line follows). A person's own shell ignores it; here, wait for raw.
    const tty = (
      await person.tmux(['display-message', '-p', '-t', '=interrupted:', '#{pane_tty}'])
    ).stdout.trim();
    await waitFor(
      () =>
        /(^|\s)-icanon(\s|$)/m.test(execFileSync('stty', ['-F', tty, '-a'], { encoding: 'utf8' }))
          ? true
          : undefined,
      { what: `${tty} in raw mode`, timeoutMs: 30_000, intervalMs: 50 },
    );
    await pane.keys('C-c');
    await pane.waitFor(/exit=130\s+person\$/);
    expect(await pane.modes()).toEqual({ alternate: false, cursor: true });
    await pane.keys('stty -a', 'Enter');
    const stty = await pane.waitFor(/icanon/);
    expect(stty).not.toMatch(/(^|\s)-(icanon|echo)(\s|$)/m);
  });
});
