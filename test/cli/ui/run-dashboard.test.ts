/**
 * `flux run` on a person's terminal is the dashboard, end to end: a real
 * tmux pane (a server of the test's own) runs the built binary with the
 * supervisor allowed (FLUX_SUPERVISOR=auto). `flux run` starts the
 * supervisor and opens the dashboard; the stage the supervisor ran
 * completes, `v` reviews it and `a` approves and merges it; `q` leaves the
 * dashboard and says the supervisor goes on, which `flux status --json`
 * confirms, until `flux stop`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos } from '../../helpers/cli.js';
import { doneScript, makeRig, openTerminal, plan, type Rig, type Terminal } from '../human/harness.js';

const PLAN = plan(
  'Run and watch',
  `    - id: fetch
      name: "Fetch the data"
      dependencies: []
      acceptance:
        - "test -f fetched.txt"
      files:
        - "fetched.txt"
    - id: report
      name: "Report on it"
      dependencies: [fetch]
      acceptance: []
      files:
        - "report.md"`,
);

/** The dependent stays at work, so the supervisor still has work when the dashboard is quit. */
const WORKING = { turns: [{ say: 'Writing the report.', context: 10, actions: [{ sleep: 600_000 }] }] };

interface SupervisorJson {
  running: boolean;
  pid?: number;
}

describe('flux run on a terminal', () => {
  let rig: Rig;
  let terminal: Terminal | undefined;
  const supervised = { FLUX_SUPERVISOR: 'auto' };
  const supervisor = async (): Promise<SupervisorJson> => {
    const status = await rig.flux(['status', '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
    return (JSON.parse(status.stdout) as { supervisor: SupervisorJson }).supervisor;
  };

  beforeAll(async () => {
    rig = await makeRig(PLAN, { fetch: doneScript('fetched.txt', 'ok'), report: WORKING });
  });
  afterAll(async () => {
    // A supervisor a failed run left behind would outlive the repository.
    await rig?.flux(['stop'], { env: supervised }).catch(() => undefined);
    await terminal?.close();
    await rig?.cleanup();
    await cleanupTempRepos();
  });

  it('opens the dashboard on the supervisor; v then a merges; q leaves the supervisor running until flux stop', async () => {
    terminal = await openTerminal(rig.root, [process.execPath, rig.bin, 'run'], {
      ...rig.env,
      ...supervised,
      TERM: 'xterm-256color',
    });
    const opened = await terminal.waitForScreen(/q quit/);
    expect(opened).toMatch(/^Run and watch +supervisor: running \(pid \d+/m);

    // The supervisor starts fetch; its agent commits and runs `flux done`: it waits for a review.
    await terminal.waitForScreen(/fetch +review and approve or reject +\[v review\]/, 60_000);
    await terminal.waitForScreen(/^▸ fetch +completed/m);
    await terminal.keys(['v']);
    const review = await terminal.waitForScreen(/Approve and merge, reject, or go back/, 60_000);
    expect(review).toContain('✓ test -f fetched.txt');
    await terminal.keys(['a']);
    // The supervisor watches too: it may merge the approved stage first, and then the message says so.
    const merged = await terminal.waitForScreen(
      /(Merged|Already merged:) fetch into main: [0-9a-f]{12}/,
      60_000,
    );
    expect(merged).toContain('Approved fetch.');
    expect(merged).toMatch(/The supervisor \(pid \d+\) carries on from here\./);
    // What the merge allowed starts without anyone running anything else.
    await terminal.waitForScreen(/^ {2}report +running/m, 60_000);

    await terminal.keys(['q']);
    const left = await terminal.waitForScreen(/exit=0/);
    const goesOn = /The supervisor goes on \(pid (\d+)\): `flux stop` stops it\./.exec(left);
    expect(goesOn, left).not.toBeNull();
    const running = await supervisor();
    expect(running).toMatchObject({ running: true, pid: Number(goesOn![1]) });

    const stop = await rig.flux(['stop'], { env: supervised });
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(`Stopped the supervisor (pid ${running.pid}).`);
    expect((await supervisor()).running).toBe(false);

    expect(await rig.stageStatus('fetch')).toBe('merged');
    expect(rig.events().filter((e) => e.type === 'stage.verified')).toMatchObject([
      { stage: 'fetch', by: 'human' },
    ]);
  }, 180_000);
});
