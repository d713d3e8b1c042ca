/**
 * How the base reaches a host's clone (src/effects/host/world.ts, base.ts),
 * over a real OpenSSH server on 127.0.0.1: the first launch carries the
 * whole base as a bundle; once the clone has it, nothing; a later commit
 * only what the clone lacks; and when no bundle can be made (the clone's
 * tip is not a commit here) a `git push` brings it instead.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostWorld } from '../../../src/effects/host/world.js';
import { launchBatch } from '../../../src/hosts/launch.js';
import { sshdSkipReason, startSshd, type TestSshd } from '../../helpers/sshd.js';
import { isolateGitConfig, tempRepo, type TempRepo } from '../../helpers/temp-repo.js';

beforeAll(() => isolateGitConfig());

describe.skipIf(sshdSkipReason() !== undefined)('the base on its way to a host', () => {
  let sshd: TestSshd;
  let here: TempRepo;
  let world: HostWorld;
  const hostGit = async (args: string[]) => (await execa('git', args)).stdout.trim();

  beforeAll(async () => {
    sshd = await startSshd();
    here = await tempRepo('flux-world-base-');
    const workDir = path.join(here.root, '.work');
    mkdirSync(workDir, { recursive: true });
    world = new HostWorld(
      'box1',
      {
        ssh: sshd.target,
        port: sshd.port,
        ssh_options: sshd.sshOptions,
        check_host_key: true,
        dir: path.join(sshd.home, 'flux'),
        flux: [],
      },
      { root: here.root, workDir, distBin: path.resolve('dist/bin'), tmuxSocket: undefined },
    );
  });
  afterAll(async () => {
    await here?.cleanup();
    await sshd?.close();
  });

  /** What a launch with the bundle does there (the host's side, src/hosts/launch.ts). */
  async function land(bundle: Awaited<ReturnType<HostWorld['baseFor']>>) {
    const paths = await world.ready();
    expect(
      await launchBatch({ repo: paths.repo, bases: bundle === undefined ? [] : [bundle], launches: [] }),
    ).toEqual([]);
    if (bundle !== undefined) world.landed(bundle.branch, bundle.commit);
    return hostGit(['-C', paths.repo, 'rev-parse', '--verify', '--quiet', 'refs/heads/main']).catch(() => '');
  }

  it('first the whole base as a bundle; then nothing while the clone has it', async () => {
    const tip = await here.git(['rev-parse', 'HEAD']);
    const first = await world.baseFor('main');
    expect(first?.commit).toBe(tip);
    expect(await land(first)).toBe(tip);
    expect(await world.baseFor('main')).toBeUndefined();
  });

  it('a later commit comes as only what the clone lacks', async () => {
    const before = await here.git(['rev-parse', 'HEAD']);
    const next = await here.commit('more', { 'more.txt': 'x'.repeat(100_000) });
    const thin = await world.baseFor('main');
    expect(thin?.commit).toBe(next);
    // Its prerequisite is the clone's tip.
    const file = path.join(here.root, '.work', 'thin.bundle');
    writeFileSync(file, Buffer.from(thin!.data, 'base64'));
    const verified = await execa('git', ['bundle', 'verify', file], { cwd: here.root, all: true });
    expect(verified.all).toContain(next);
    expect(verified.all).toMatch(new RegExp(`requires this ref:?\\s*\\n?${before}`));
    expect(await land(thin)).toBe(next);
  });

  it("when the clone's tip is not a commit here, the base is pushed instead", async () => {
    const paths = await world.ready();
    // The clone has a main this repository never had.
    const other = await tempRepo('flux-world-other-');
    try {
      await other.commit('elsewhere', { 'other.txt': 'other\n' });
      await other.git(['push', '--quiet', '--force', paths.repo, 'main:main']);
      const elsewhere = await other.git(['rev-parse', 'HEAD']);
      world.landed('main', elsewhere);
      const tip = await here.git(['rev-parse', 'HEAD']);
      expect(await world.baseFor('main')).toBeUndefined();
      expect(await hostGit(['-C', paths.repo, 'rev-parse', 'refs/heads/main'])).toBe(tip);
      // And it is known to be there.
      expect(await world.baseFor('main')).toBeUndefined();
    } finally {
      await other.cleanup();
    }
  });
});
