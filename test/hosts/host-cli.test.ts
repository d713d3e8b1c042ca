/**
 * `flux <command>` on a host (FLUX_HOST set), the built main.js, no link
 * needed: a person's command is refused there (exit 3, named), an agent's
 * relayed command outside an agent session is a usage error, and neither
 * leaves anything in the spool; `--version` and `flux hook` run as anywhere.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { FLUX_BUNDLE } from '../helpers/flux-run.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-host-cli-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const main = path.join(FLUX_BUNDLE, 'main.js');
async function onHost(args: string[], env: Record<string, string | undefined> = {}) {
  const result = await execa(process.execPath, [main, ...args], {
    cwd: work,
    env: { FLUX_HOST: 'box1', FLUX_WORK_DIR: work, FLUX_SESSION: 'api.s1', FLUX_STAGE: 'api', ...env },
    extendEnv: false,
    reject: false,
    timeout: 20_000,
  });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}
const spooled = () =>
  fs.existsSync(path.join(work, 'spool')) ? fs.readdirSync(path.join(work, 'spool')) : [];

describe('flux on a host', () => {
  it.each(['approve', 'deny', 'verify', 'merge', 'run', 'init', 'stage'])(
    'flux %s is refused there: exit 3, and nothing is sent',
    async (command) => {
      const result = await onHost([command, 'api']);
      expect(result.exitCode).toBe(3);
      expect(result.stderr).toBe(
        `error: flux ${command} runs on the machine that runs the plan, not on a host\nhint: run it there; an agent on a host has flux done, flux handoff and flux status`,
      );
      expect(spooled()).toEqual([]);
    },
  );

  it('flux done outside an agent session there is a usage error, and nothing is sent', async () => {
    const result = await onHost(['done'], { FLUX_SESSION: undefined });
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toContain("error: flux done on a host runs inside Flux's agent session there");
    expect(spooled()).toEqual([]);
  });

  it('--version, and flux hook outside a session, run there as anywhere', async () => {
    expect(await onHost(['--version'])).toMatchObject({ exitCode: 0, stdout: '0.1.0' });
    const hook = await onHost(['hook', 'Stop'], { FLUX_SESSION: undefined });
    expect(hook).toMatchObject({ exitCode: 0, stdout: '' });
    expect(spooled()).toEqual([]);
  });

  it('an AgentExit there is spooled at once, not waited for', async () => {
    const result = await onHost(['hook', 'AgentExit', '137']);
    expect(result).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    const [file] = spooled();
    expect(file).toMatch(/^\d{13}-[0-9a-f-]{36}\.json$/);
    expect(JSON.parse(fs.readFileSync(path.join(work, 'spool', file!), 'utf8'))).toMatchObject({
      kind: 'exit',
      status: 137,
      session: 'api.s1',
      stage: 'api',
    });
  });
});
