/**
 * A hook whose events were appended but whose view could not be written (a
 * full disk) still answers the agent: the events stand, so what they mean
 * (a status line, a block) must reach it. The failure goes to
 * .work/logs/hooks.log. A 200 KB tmpfs over `.work/` (needs root; skipped,
 * saying why, where it cannot run).
 */
import { readFileSync, rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFlux, fluxRunEnv, planDocument, snapshotFlux } from '../helpers/flux-run.js';
import { mountSmallDisk, PAGE, tmpfsUnsupported, type SmallDisk } from '../helpers/fs-faults.js';
import { tempRepo, type TempRepo } from '../helpers/temp-repo.js';

const unsupported = tmpfsUnsupported();
const plan = planDocument(
  'Full disk',
  `    - id: models
      name: "Models"
      dependencies: []
      acceptance:
        - "true"
      files:
        - "src/models/*.rs"`,
);

describe.skipIf(unsupported !== null)(
  `a hook on a full disk${unsupported === null ? '' : `: skipped, ${unsupported}`}`,
  () => {
    const bin = snapshotFlux();
    const env = fluxRunEnv({});
    let repo: TempRepo;
    let disk: SmallDisk | undefined;
    const work = (...parts: string[]): string => path.join(repo.root, '.work', ...parts);
    const logText = (): string => readFileSync(work('events.jsonl'), 'utf8');

    afterAll(() => rmSync(path.dirname(path.dirname(bin)), { recursive: true, force: true }));

    beforeEach(async () => {
      repo = await tempRepo('flux-hook-disk-');
      await repo.commit('Add the plan', { 'doc/PLAN.md': plan });
      expect((await execFlux(bin, env, repo.root, ['init', 'doc/PLAN.md'])).exitCode).toBe(0);
      let seq = logText().trimEnd().split('\n').length;
      const at = new Date().toISOString();
      const started = [
        { type: 'stage.started', stage: 'models', session: 'models.s1' },
        { type: 'session.started', session: 'models.s1', stage: 'models', agent: 'sim', tmux: '' },
      ].map((event) => `${JSON.stringify({ v: 1, seq: ++seq, at, ...event })}\n`);
      await appendFile(work('events.jsonl'), started.join(''));
      disk = mountSmallDisk(work());
    });

    afterEach(async () => {
      disk?.unmount();
      disk = undefined;
      await repo.cleanup();
    });

    it('StatusLine: the event is recorded and the status line shown; the view failure is logged', async () => {
      const before = logText();
      const seq = before.trimEnd().split('\n').length + 1;
      const line = `${JSON.stringify({ v: 1, seq, at: new Date(0).toISOString(), type: 'session.context', session: 'models.s1', percent: 42 })}\n`;
      const slack = (PAGE - (Buffer.byteLength(before) % PAGE)) % PAGE;
      // One page for the lock, and the line fits in the log's last page or takes one more: none is left for the views.
      disk!.leaveFree(slack >= line.length ? 1 : 2);
      const result = await execa(process.execPath, [path.join(path.dirname(bin), 'hook.js'), 'StatusLine'], {
        cwd: repo.root,
        env: { ...env, FLUX_SESSION: 'models.s1', FLUX_STAGE: 'models', FLUX_WORK_DIR: work() },
        extendEnv: false,
        input: JSON.stringify({ session_id: 'x', context_window: { used_percentage: 42 } }),
        reject: false,
      });
      expect(result).toMatchObject({ exitCode: 0, stderr: '' });
      expect(result.stdout).toBe('flux models · running · starting · context 42%');
      expect(logText().slice(before.length)).toMatch(
        /"type":"session\.context","session":"models\.s1","percent":42\}\n$/,
      );
      expect(readFileSync(work('logs', 'hooks.log'), 'utf8')).toMatch(
        /models\.s1 StatusLine: ViewWriteError: the events were recorded, but the view \S+ could not be written: no space left on device \(ENOSPC\)/,
      );
    });
  },
);
