// Scenario 6: a generic command agent (no hooks, no claude): `[agents.script]`
// with `run.agent = "script"`. Flux still knows when it dies (the exit
// reporter for the agent process, tmux liveness for the pane), restarts a
// crash, and `flux done` from inside the session completes and merges the
// stage. Needs only flux, git and tmux: it runs where claude is not installed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { announceSkip, fluxE2E, fluxSkipReason, planDocument, type E2E } from './harness.js';

const PLAN = planDocument(
  'Command agents',
  `    - id: cmd-done
      name: "Done at once"
      dependencies: []
      gate: auto
      acceptance:
        - "test -f cmd-done.txt"
      files:
        - "cmd-done.txt"
    - id: cmd-crash
      name: "Crashes twice"
      dependencies: []
      gate: auto
      acceptance:
        - "test -f cmd-crash.txt"
      files:
        - "cmd-crash.txt"`,
);

/**
 * The agent: writes `<stage>.txt`, commits, runs `flux done` (found on PATH),
 * then lingers as an agent that finished its turn would. The crash stage's first
 * two sessions only wait, to be killed.
 */
const SCRIPT = [
  'set -e',
  'case "$FLUX_SESSION" in cmd-crash.s1|cmd-crash.s2) exec sleep 600;; esac',
  'echo "written by $FLUX_SESSION" > "$FLUX_STAGE.txt"',
  'git add "$FLUX_STAGE.txt"',
  'git commit -q -m "Add $FLUX_STAGE.txt"',
  'flux done > "$FLUX_WORK_DIR/logs/$FLUX_SESSION-done.txt" 2>&1',
  'exec sleep 600',
].join('\n');

const reason = fluxSkipReason();
announceSkip('flux run with a command agent', reason);

describe.skipIf(reason !== undefined)('flux run with a command agent (no hooks)', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await fluxE2E({
      plan: PLAN,
      scenario: [],
      run: { agent: 'script' },
      extraToml: `[agents.script]\ncommand = ["bash", "-c", ${JSON.stringify(SCRIPT)}]`,
    });
  });
  afterAll(async () => {
    await e2e?.cleanup();
  });

  const crashedWithin = async (session: string, kill: () => Promise<void>) => {
    await e2e.waitFor(`${session} to start`, () =>
      e2e.events().some((e) => e.type === 'session.started' && e.session === session),
    );
    // Started in the log; wait for its pane.
    await e2e.waitFor(
      `${session}'s pane`,
      async () => (await e2e.tmux.tmux(['has-session', '-t', '=flux-cmd-crash'])).exitCode === 0,
    );
    const killedAt = Date.now();
    await kill();
    const crashed = await e2e.waitFor(
      `${session} to be recorded crashed`,
      () => e2e.events().find((e) => e.type === 'session.crashed' && e.session === session),
      10_000,
    );
    return { crashed, after: Date.now() - killedAt };
  };

  test('crashes are noticed and restarted; flux done from the session completes and merges', async () => {
    try {
      const run = e2e.startRun();
      // kill -9 of the pane's own process (the sh wrapper): nothing can report, tmux liveness does.
      const s1 = await crashedWithin('cmd-crash.s1', async () => {
        const pid = Number(
          (await e2e.tmux.tmux(['list-panes', '-t', '=flux-cmd-crash:', '-F', '#{pane_pid}'])).stdout.trim(),
        );
        process.kill(pid, 'SIGKILL');
      });
      expect(s1.crashed.reason).toBe('its tmux session flux-cmd-crash is gone');
      expect(s1.after).toBeLessThan(6_000);
      // kill -9 of the agent itself (the sh's child): the wrapper reports at once.
      const s2 = await crashedWithin('cmd-crash.s2', async () => {
        process.kill(await e2e.agentPid('flux-cmd-crash'), 'SIGKILL');
      });
      expect(s2.crashed.reason).toBe('the agent was killed by signal 9');
      expect(s2.after).toBeLessThan(3_000);

      expect(await run.finished(60_000), run.output()).toBe(0);
      expect((await e2e.status()).stages.map((s) => [s.id, s.status])).toEqual([
        ['cmd-done', 'merged'],
        ['cmd-crash', 'merged'],
      ]);
      expect(e2e.read('.work/logs/cmd-done.s1-done.txt')).toContain(
        'cmd-done is done: every acceptance command passes.',
      );
      expect(e2e.read('.work/logs/cmd-crash.s3-done.txt')).toContain('cmd-crash is done');
      expect(await e2e.git(['show', 'main:cmd-crash.txt'])).toBe('written by cmd-crash.s3');
      const merges = (await e2e.git(['log', '--merges', '--format=%s', 'main'])).split('\n').sort();
      expect(merges).toEqual(['Merge stage cmd-crash: Crashes twice', 'Merge stage cmd-done: Done at once']);
      expect(
        e2e
          .events()
          .filter((e) => e.type === 'session.started')
          .map((e) => e.session)
          .sort(),
      ).toEqual(['cmd-crash.s1', 'cmd-crash.s2', 'cmd-crash.s3', 'cmd-done.s1']);
      // Flux ended the lingering agents after their merge.
      expect(await e2e.tmuxSessions()).toEqual([]);
    } catch (error) {
      console.log(await e2e.diagnose());
      throw error;
    }
  });
});
