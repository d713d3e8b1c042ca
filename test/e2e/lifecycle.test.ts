// How a claude session ends (kill -9, SIGTERM, /exit) as seen from tmux and the
// hooks, and when the folder-trust dialog stands in the way of a start.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { sleep, startClaude, waitFor } from './claude-session.js';
import { say } from './model-server.js';
import { DEFAULT_ARGS, openRig, skipReason, stopSession, type RigOptions } from './rig.js';
import { Tmux } from './tmux.js';

const tmux = new Tmux();
afterAll(() => tmux.killServer());

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function idleSession(name: string, extra: Partial<RigOptions> = {}) {
  const rig = await openRig({ tmux, name, scenario: [say('hello')], ...extra });
  await rig.session.waitForHook('Stop');
  return rig;
}

/** What the kernel says of a process and its threads: for a pane that will not die. */
function processState(pid: number): string {
  if (!existsSync(`/proc/${pid}`)) return `process ${pid} gone`;
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return '?';
    }
  };
  const status = read(`/proc/${pid}/status`)
    .split('\n')
    .filter((line) => /^(State|PPid|Threads|SigPnd|ShdPnd):/.test(line))
    .join(', ');
  let threads: string[] = [];
  try {
    threads = readdirSync(`/proc/${pid}/task`).map(
      (tid) =>
        `${tid}:${read(`/proc/${pid}/task/${tid}/stat`).split(') ')[1]?.split(' ')[0]}/${read(`/proc/${pid}/task/${tid}/wchan`)}`,
    );
  } catch {
    // gone meanwhile
  }
  return `process ${pid}: ${status}; threads ${threads.join(' ')}`;
}

describe.skipIf(skipReason() !== undefined)('session lifecycle', () => {
  test('the pane process is claude itself (the launcher execs it)', async () => {
    const rig = await idleSession('life-pid');
    try {
      const { pid } = tmux.paneInfo('life-pid');
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]).toMatch(/claude$/);
    } finally {
      await rig.close();
    }
  });

  test('kill -9 of the pane process: the tmux session ends at once, no SessionEnd hook', async () => {
    const rig = await idleSession('life-kill9');
    try {
      const { pid } = tmux.paneInfo('life-kill9');
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !tmux.hasSession('life-kill9'), 'the tmux session to end', 5_000);
      await sleep(1_000);
      expect(rig.session.records('SessionEnd')).toHaveLength(0);
    } finally {
      await rig.close();
    }
  });

  test('kill -9 with remain-on-exit: the pane stays, dead, with signal 9', async () => {
    const name = 'life-kill9-keep';
    const rig = await idleSession(name, { keepDeadPane: true });
    try {
      const { pid } = tmux.paneInfo(name);
      process.kill(pid, 'SIGKILL');
      let last = tmux.paneInfo(name);
      const diagnose = (error: Error) => {
        throw new Error(`${error.message}; last pane info ${JSON.stringify(last)}; ${processState(pid)}`);
      };
      // The pty closes with the process: tmux flags the pane dead at once.
      await waitFor(() => (last = tmux.paneInfo(name)).dead, 'the pane to be flagged dead', 10_000).catch(
        diagnose,
      );
      // The signal is known once tmux reaps the process. Under load its SIGCHLD
      // can go unhandled (seen: a zombie left for over 30 s) until another
      // child of the server exits; a `run-shell` gives it one.
      const reaped = () => ((last = tmux.paneInfo(name)).signal !== undefined ? last : undefined);
      const info = await waitFor(reaped, 'tmux to reap the process', 5_000)
        .catch(() => {
          console.log(
            `[e2e] tmux had not reaped the killed pane after 5 s (${processState(pid)}); run-shell`,
          );
          tmux.run(['run-shell', 'true']);
          return waitFor(reaped, 'tmux to reap the process after a run-shell', 20_000);
        })
        .catch(diagnose);
      expect(info.signal).toBe(9);
      expect(tmux.hasSession(name)).toBe(true);
      expect(rig.session.records('SessionEnd')).toHaveLength(0);
    } finally {
      await rig.close();
    }
  });

  test('SIGTERM: SessionEnd with reason "other", then the session ends', async () => {
    const rig = await idleSession('life-term');
    try {
      const { pid } = tmux.paneInfo('life-term');
      process.kill(pid, 'SIGTERM');
      const end = await rig.session.waitForHook('SessionEnd', 'SessionEnd', 10_000);
      expect(end.input).toMatchObject({ hook_event_name: 'SessionEnd', reason: 'other' });
      await waitFor(() => !tmux.hasSession('life-term') && !isAlive(pid), 'claude to exit', 10_000);
    } finally {
      await rig.close();
    }
  });

  test('/exit: SessionEnd with reason "prompt_input_exit"', async () => {
    const rig = await idleSession('life-exit');
    try {
      await rig.session.submit('/exit');
      const end = await rig.session.waitForHook('SessionEnd', 'SessionEnd', 10_000);
      expect(end.input.reason).toBe('prompt_input_exit');
      await waitFor(() => !tmux.hasSession('life-exit'), 'the tmux session to end', 10_000);
    } finally {
      await rig.close();
    }
  });

  test('an untrusted folder shows the trust dialog and no hook runs until it is accepted', async () => {
    const rig = await openRig({
      tmux,
      name: 'life-untrusted',
      scenario: [say('hello')],
      env: { trust: false },
    });
    try {
      const dialog = await rig.session.waitForScreen(/Yes, I trust this folder/);
      await sleep(1_000);
      expect(rig.session.records()).toHaveLength(0);
      // 2.1.197 preselects "1. Yes, I trust this folder"; later versions preselect "No, exit".
      if (/❯\s*(\d\.\s*)?No, exit/.test(dialog)) {
        rig.session.sendKeys('Down');
        await sleep(300);
      }
      rig.session.sendKeys('Enter');
      await rig.session.waitForHook('Stop');
    } finally {
      await rig.close();
    }
  });

  test('a git worktree of a trusted repository starts without the trust dialog', async () => {
    const rig = await openRig({ tmux, name: 'life-wt-base', scenario: [say('hello')] });
    try {
      await rig.session.waitForHook('Stop');
      const wt = `${rig.repo.dir}-wt`;
      rig.repo.git('worktree', 'add', '-q', '-b', 'stage-x', wt);
      // Same env, which trusts only the main checkout; a new session in the worktree.
      const s = startClaude({
        tmux,
        env: rig.env,
        name: 'life-wt',
        cwd: wt,
        prompt: 'in the worktree',
        args: DEFAULT_ARGS,
      });
      const stop = await s.waitForHook('Stop');
      expect(stop.input.cwd).toBe(wt);
      await stopSession(tmux, 'life-wt');
      rmSync(wt, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    } finally {
      await rig.close();
    }
  });
});
