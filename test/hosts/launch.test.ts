/**
 * `flux host launch`'s work on the host (src/hosts/launch.ts), with real git
 * in a bare clone as a host has (no ssh: the supervisor's side is in
 * run.test.ts): the bases come in from their bundles first, then the starts
 * run side by side, each answering for itself.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { baseBundle } from '../../src/effects/host/base.js';
import { launchBatch, type HostLaunch, type HostLaunchBatch } from '../../src/hosts/launch.js';
import { isolateGitConfig, tempDir, tempRepo, type TempRepo } from '../helpers/temp-repo.js';

beforeAll(() => isolateGitConfig());

const made: { cleanup(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of made.splice(0)) await thing.cleanup();
});

interface Host {
  repo: string;
  worktrees: string;
  work: string;
  git(args: readonly string[], cwd?: string): Promise<string>;
}

/** This repository and a host's folder with an empty bare clone. */
async function setUp(): Promise<{ here: TempRepo; host: Host }> {
  const here = await tempRepo('flux-launch-here-');
  const dir = await tempDir('flux-launch-host-');
  made.push(here, { cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }) });
  const repo = path.join(dir, 'repo.git');
  await here.git(['init', '--quiet', '--bare', repo]);
  const work = path.join(dir, 'work');
  fs.mkdirSync(work);
  return {
    here,
    host: {
      repo,
      worktrees: path.join(dir, 'worktrees'),
      work,
      git: (args, cwd = repo) => here.git(args, cwd),
    },
  };
}

function launch(host: Host, stage: string, extra: Partial<HostLaunch> = {}): HostLaunch {
  return {
    repo: host.repo,
    worktree: path.join(host.worktrees, stage),
    branch: `flux/${stage}`,
    base: 'main',
    work: host.work,
    ...extra,
  };
}

async function bundleOf(here: TempRepo, theirs?: string) {
  const bundle = await baseBundle(here.root, path.join(here.root, '.git', 'scratch'), 'main', theirs);
  expect(bundle).not.toBeNull();
  return bundle!;
}

describe('flux host launch on the host', () => {
  it('brings the base in from its bundle, then adds every stage of the batch at it', async () => {
    const { here, host } = await setUp();
    const tip = await here.commit('work on main', { 'a.txt': 'a\n' });
    const batch: HostLaunchBatch = {
      repo: host.repo,
      bases: [await bundleOf(here)],
      launches: ['api', 'ui', 'docs'].map((stage) =>
        launch(host, stage, { files: { [path.join(host.work, 'agents', `${stage}.txt`)]: stage } }),
      ),
    };
    expect(await launchBatch(batch)).toEqual([
      { outcome: 'created' },
      { outcome: 'created' },
      { outcome: 'created' },
    ]);
    expect(await host.git(['rev-parse', 'refs/heads/main'])).toBe(tip);
    for (const stage of ['api', 'ui', 'docs']) {
      const worktree = path.join(host.worktrees, stage);
      expect(await host.git(['rev-parse', 'HEAD'], worktree)).toBe(tip);
      expect(await host.git(['branch', '--show-current'], worktree)).toBe(`flux/${stage}`);
      expect(fs.readlinkSync(path.join(worktree, '.work'))).toBe(host.work);
      expect(fs.readFileSync(path.join(host.work, 'agents', `${stage}.txt`), 'utf8')).toBe(stage);
    }
    // Nothing of the bundle stays in the clone.
    expect(fs.readdirSync(host.repo).filter((name) => name.endsWith('.bundle'))).toEqual([]);
  });

  it('a later base comes as only what the clone lacks, on top of its tip', async () => {
    const { here, host } = await setUp();
    const first = await here.git(['rev-parse', 'HEAD']);
    await launchBatch({ repo: host.repo, bases: [await bundleOf(here)], launches: [] });
    const big = 'x'.repeat(200_000);
    await here.commit('a big file', { 'big.txt': big });
    const next = await here.commit('a small change', { 'b.txt': 'b\n' });
    const full = await bundleOf(here);
    const thin = await bundleOf(here, first);
    expect(thin.commit).toBe(next);
    expect(thin.data.length).toBeLessThan(full.data.length);
    expect(await launchBatch({ repo: host.repo, bases: [thin], launches: [launch(host, 'api')] })).toEqual([
      { outcome: 'created' },
    ]);
    expect(await host.git(['rev-parse', 'HEAD'], path.join(host.worktrees, 'api'))).toBe(next);
  });

  it('a bundle the clone cannot take (its prerequisite is not there) fails every start, saying why', async () => {
    const { here, host } = await setUp();
    const first = await here.git(['rev-parse', 'HEAD']);
    await here.commit('more', { 'c.txt': 'c\n' });
    const thin = await bundleOf(here, first);
    const answers = await launchBatch({
      repo: host.repo,
      bases: [thin],
      launches: [launch(host, 'api'), launch(host, 'ui')],
    });
    expect(answers).toHaveLength(2);
    for (const answer of answers)
      expect(answer).toEqual({ error: expect.stringContaining('the base could not be brought in') });
    expect(fs.existsSync(path.join(host.worktrees, 'api'))).toBe(false);
  });

  it('a stage whose branch is there starts on it; one already there is found again; a stale one is made again', async () => {
    const { here, host } = await setUp();
    await launchBatch({
      repo: host.repo,
      bases: [await bundleOf(here)],
      launches: [launch(host, 'kept'), launch(host, 'gone')],
    });
    // `resumed` has history: its branch was pushed there, ahead of the base.
    await here.git(['branch', 'flux/resumed']);
    const ahead = await here.commit('resumed work', { 'r.txt': 'r\n' });
    await here.git(['push', '--quiet', host.repo, `${ahead}:refs/heads/flux/resumed`]);
    // `gone`'s folder went without git being told.
    fs.rmSync(path.join(host.worktrees, 'gone'), { recursive: true });
    const answers = await launchBatch({
      repo: host.repo,
      bases: [],
      launches: [launch(host, 'kept'), launch(host, 'gone'), launch(host, 'resumed')],
    });
    expect(answers).toEqual([{ outcome: 'existing' }, { outcome: 'created' }, { outcome: 'created' }]);
    expect(await host.git(['rev-parse', 'HEAD'], path.join(host.worktrees, 'resumed'))).toBe(ahead);
    expect(await host.git(['branch', '--show-current'], path.join(host.worktrees, 'gone'))).toBe('flux/gone');
  });

  it('one start that cannot be made fails alone; the others in its batch start', async () => {
    const { here, host } = await setUp();
    const answers = await launchBatch({
      repo: host.repo,
      bases: [await bundleOf(here)],
      launches: [launch(host, 'good'), launch(host, 'bad', { base: 'no-such-base' }), launch(host, 'also')],
    });
    expect(answers[0]).toEqual({ outcome: 'created' });
    expect(answers[1]).toEqual({ error: expect.stringContaining('no-such-base') });
    expect(answers[2]).toEqual({ outcome: 'created' });
  });
});

describe('the base as a bundle (src/effects/host/base.ts)', () => {
  it('none when the host has a tip this repository does not know, or the bundle is over the limit', async () => {
    const { here } = await setUp();
    const scratch = path.join(here.root, '.git', 'scratch');
    expect(await baseBundle(here.root, scratch, 'main', 'f'.repeat(40))).toBeNull();
    expect(await baseBundle(here.root, scratch, 'main', undefined, 10)).toBeNull();
    // Nothing to send (the host is at the tip): git makes no empty bundle, and the caller pushes.
    expect(await baseBundle(here.root, scratch, 'main', await here.git(['rev-parse', 'HEAD']))).toBeNull();
    expect(fs.readdirSync(scratch)).toEqual([]);
  });
});

describe('`flux host launch` as the supervisor calls it (the built main.js)', () => {
  const main = path.resolve('dist/bin/main.js');
  const call = (input: string, args: string[] = []) =>
    spawnSync(process.execPath, [main, 'host', 'launch', ...args], { input, encoding: 'utf8' });

  it('an empty request (a call opened ahead, then dismissed) is nothing to do: exit 0, no answer', () => {
    const run = call('');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
  });

  it('a request that is not a batch is refused with exit 3 and one line saying so', () => {
    const run = call('[{"repo":"/x"}]');
    expect(run.status).toBe(3);
    expect(run.stderr.trim()).toBe(
      'flux host launch: stdin is not a request: not a batch of starts (repo, bases, launches)',
    );
    expect(run.stdout).toBe('');
  });

  it('answers a batch with one JSON line', async () => {
    const { here, host } = await setUp();
    const batch: HostLaunchBatch = {
      repo: host.repo,
      bases: [await bundleOf(here)],
      launches: [launch(host, 'api')],
    };
    const run = call(JSON.stringify(batch));
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ outcome: 'created' }]);
  });

  it('--help still goes through the command parser', () => {
    const run = call('', ['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Add a stage's worktree here");
  });
});
