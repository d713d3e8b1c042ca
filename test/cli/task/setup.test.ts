/**
 * An ad hoc task's worktree is set up as a stage's: the ignored files
 * `.worktreeinclude` names are copied in and `[task] setup` runs in it
 * before the agent starts, so `[task] acceptance` (run by the agent's
 * `flux done`) sees both. Real git, real tmux, the simulated agent.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FluxResult } from '../../helpers/cli.js';
import { doneScript, makeTaskRig, type TaskRig } from './harness.js';

describe('flux task run: [task] setup and .worktreeinclude', () => {
  let rig: TaskRig;
  let run: FluxResult;

  beforeAll(async () => {
    rig = await makeTaskRig();
    rig.commit('Ignore local files; worktrees get .env', {
      '.gitignore': '.env\n.deps/\n',
      '.worktreeinclude': '.env\n',
    });
    writeFileSync(path.join(rig.root, '.env'), 'TOKEN=task\n');
    rig.initWorkspace();
    const config = path.join(rig.root, '.work', 'config.toml');
    writeFileSync(
      config,
      readFileSync(config, 'utf8')
        .replace(/^setup = \[\]$/m, 'setup = ["mkdir -p .deps && echo ready > .deps/marker"]')
        .replace(
          /^acceptance = \[\]$/m,
          'acceptance = ["grep -qx ready .deps/marker", "grep -qx TOKEN=task .env"]',
        ),
    );
    rig.writeSim('tsetup', doneScript('t.txt', 'set up'));
    run = await rig.flux(['task', 'run', '--id', 'tsetup', '--session', 'Write t.txt']);
  });
  afterAll(() => rig.cleanup());

  it('sets the worktree up before the agent, and the acceptance of `flux done` sees it', async () => {
    expect(run.exitCode, run.stderr).toBe(0);
    await rig.waitForEvent('stage.completed', 'tsetup');
    const events = rig.events();
    const finished = events.find((e) => e.type === 'setup.finished' && e.stage === 'tsetup');
    expect(finished).toMatchObject({ passed: true, copied: ['.env'] });
    expect(events.find((e) => e.type === 'setup.started')).toMatchObject({
      commands: ['mkdir -p .deps && echo ready > .deps/marker'],
    });
    expect(events.some((e) => e.type === 'stage.acceptance_failed')).toBe(false);
    await rig.flux(['sessions', 'kill', 'tsetup']);
  });
});
