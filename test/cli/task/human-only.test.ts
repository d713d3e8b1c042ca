/**
 * An ad hoc task's agent runs in a pane next to the person's (the task was
 * started inside tmux). It cannot merge or discard its own task: `flux task
 * cleanup` from inside its pane is refused (exit 3, nothing recorded), found
 * by the pane's process, even with Flux's variables unset; the person's own
 * `flux task cleanup` works.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedGitEnv } from '../../helpers/temp-repo.js';
import { waitFor } from '../../helpers/wait.js';
import { makeTaskRig, type TaskRig } from './harness.js';

const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

describe('flux task cleanup from inside the task pane', () => {
  let rig: TaskRig;
  let pane: string;
  const id = 'self-merge';
  const out = (ext: string): string => path.join(rig.parent, `agent-cleanup.${ext}`);

  beforeAll(async () => {
    rig = await makeTaskRig();
    rig.initWorkspace();
    // Without FLUX_TMUX_SOCKET (scrubbed below), flux finds the server through the config.
    const config = path.join(rig.root, '.work', 'config.toml');
    const text = readFileSync(config, 'utf8');
    expect(text).toMatch(/^socket = ""$/m);
    writeFileSync(config, text.replace(/^socket = ""$/m, `socket = "${rig.tmux.socket}"`));

    const keep = {
      HOME: os.homedir(),
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NO_COLOR: '1',
      ...isolatedGitEnv,
    };
    const scrubbed = [
      'env',
      '-i',
      ...Object.entries(keep).map(([key, value]) => `${key}=${value}`),
      process.execPath,
      rig.bin,
      'task',
      'cleanup',
      id,
      '--commit',
    ];
    // The agent commits, then tries to merge its own task from the main checkout, and keeps working.
    rig.writeSim(id, {
      turns: [
        {
          say: 'Done; merging it myself.',
          context: 20,
          actions: [
            { write: { path: 'self.txt', content: 'mine\n' } },
            { commit: 'Add self.txt' },
            {
              run: `cd ${quote(rig.root)} && ${scrubbed.map(quote).join(' ')} > ${quote(out('out'))} 2> ${quote(out('err'))}; echo $? > ${quote(out('rc'))}`,
            },
            { sleep: 600_000 },
          ],
        },
      ],
    });
    const started = await rig.inPane(['task', 'run', '--id', id, 'Add self.txt']);
    expect(started.exitCode, started.stderr).toBe(0);
    pane = /Tmux pane: (%\d+)/.exec(started.stdout)?.[1] ?? '';
    expect(pane).toMatch(/^%\d+$/);
  });
  afterAll(() => rig.cleanup());

  it('is refused: the agent descends from the pane Flux started it in', async () => {
    await waitFor(
      () => (existsSync(out('rc')) && readFileSync(out('rc'), 'utf8').endsWith('\n') ? true : undefined),
      {
        timeoutMs: 60_000,
        what: "the agent's flux task cleanup",
      },
    );
    const stderr = readFileSync(out('err'), 'utf8');
    expect(Number(readFileSync(out('rc'), 'utf8').trim()), stderr).toBe(3);
    expect(stderr).toMatch(
      new RegExp(
        `error: flux task cleanup must be run by a person: this runs inside Flux's agent session ${id}\\.s1 \\(it descends from process \\d+ \\(sh\\), the process of tmux pane ${pane}\\)`,
      ),
    );
    expect(
      rig.events().some((e) => ['stage.completed', 'stage.verified', 'stage.merged'].includes(e.type)),
    ).toBe(false);
    expect(rig.branchExists(`feature/${id}`)).toBe(true);
  });

  it("the person's own cleanup merges it, verified by: human", async () => {
    const cleanup = await rig.flux(['task', 'cleanup', id]);
    expect(cleanup.exitCode, cleanup.stderr).toBe(0);
    expect(rig.git(['show', 'HEAD:self.txt'])).toBe('mine');
    expect(rig.events().find((e) => e.type === 'stage.verified')).toMatchObject({ stage: id, by: 'human' });
    expect(rig.events().find((e) => e.type === 'stage.completed')).toMatchObject({
      forced: true,
      by: 'human',
    });
  });
});
