/**
 * `flux task init`: `.work/` before the first task, so `[task]` can be set
 * first. A `.work/config.toml` written by hand without a log used to be
 * refused with "move it aside"; now every command that meets one says to run
 * `flux task init`, which keeps the file as it is and makes the workspace
 * around it.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfigToml } from '../../../src/engine/config.js';
import { tempDir } from '../../helpers/temp-repo.js';
import { doneScript, makeTaskRig, type TaskRig } from './harness.js';

describe('flux task init', () => {
  let rig: TaskRig;
  const work = (...parts: string[]): string => path.join(rig.root, '.work', ...parts);
  /** A config.toml written by hand, as a person would before any task: sim agent, own branch template. */
  const handWritten = defaultConfigToml('', 'main')
    .replace(/^agent = "claude"$/m, 'agent = "sim"')
    .replace(/^branch = "feature\/\{id\}"$/m, 'branch = "work/{id}"');
  const writeHandWritten = (text = handWritten): void => {
    mkdirSync(work(), { recursive: true });
    writeFileSync(work('config.toml'), text);
  };

  beforeAll(async () => {
    rig = await makeTaskRig();
  });
  beforeEach(() => rmSync(work(), { recursive: true, force: true }));
  afterAll(() => rig.cleanup());

  it('a hand-written config.toml without a log: `flux task run` says to run `flux task init`, and keeps it', async () => {
    writeHandWritten();
    const result = await rig.flux(['task', 'run', 'Do it']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('holds a config.toml but no event log');
    expect(result.stderr).toContain('run `flux task init`');
    expect(readFileSync(work('config.toml'), 'utf8')).toBe(handWritten);
    expect(existsSync(work('events.jsonl'))).toBe(false);
    const status = await rig.flux(['status']);
    expect(status.exitCode).toBe(6);
    expect(status.stderr).toContain('run `flux task init`');
  });

  it('keeps the hand-written config, adds the log; `flux task run` then uses its [task]', async () => {
    writeHandWritten();
    const result = await rig.flux(['task', 'init']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('around your config.toml (kept as it is)');
    expect(result.stdout).toContain('Next: edit [task]');
    expect(readFileSync(work('config.toml'), 'utf8')).toBe(handWritten);
    expect(readFileSync(work('events.jsonl'), 'utf8')).toBe('');
    for (const dir of ['stages', 'sessions', 'signals', 'handoffs', 'logs', 'cache'])
      expect(existsSync(work(dir))).toBe(true);

    rig.writeSim('tinit', doneScript('t.txt', 'task init'));
    const run = await rig.flux(['task', 'run', '--id', 'tinit', '--session', 'Write t.txt']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Branch:    work/tinit');
    expect(rig.branchExists('work/tinit')).toBe(true);
    await rig.flux(['sessions', 'kill', 'tinit']);
  });

  it('with no .work/: config.toml at its defaults and an empty log; a second run has nothing to do', async () => {
    const first = await rig.flux(['task', 'init']);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('config.toml with every setting at its default');
    expect(readFileSync(work('config.toml'), 'utf8')).toBe(defaultConfigToml('', 'main'));
    expect(readFileSync(work('events.jsonl'), 'utf8')).toBe('');
    const list = await rig.flux(['task', 'list']);
    expect(list.exitCode).toBe(0);
    const again = await rig.flux(['task', 'init']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('is already a Flux workspace: nothing to do');
  });

  it('an invalid hand-written config: exit 2 naming the setting, and no log', async () => {
    writeHandWritten(handWritten.replace(/^max_parallel = 4$/m, 'max_parallel = "four"'));
    const result = await rig.flux(['task', 'init']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('run.max_parallel');
    expect(existsSync(work('events.jsonl'))).toBe(false);
  });

  it('outside a git repository: exit 5, nothing made', async () => {
    const dir = await tempDir('flux-task-init-');
    const result = await rig.flux(['task', 'init'], { cwd: dir });
    expect(result.exitCode).toBe(5);
    expect(existsSync(path.join(dir, '.work'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
