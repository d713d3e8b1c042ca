/**
 * `flux doctor` asking `[hosts.<name>]` over a real OpenSSH server on
 * 127.0.0.1 (test/helpers/sshd.ts): a host that has all it needs, and each
 * way one can fail — no server, an unknown host key, no Node there, a `dir`
 * it cannot write — named with its fix and exit 1.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos, tempRepoWithPlan, type PlanRepo } from '../helpers/cli.js';
import { freePort, sshdSkipReason, startSshd, type TestSshd } from '../helpers/sshd.js';

interface DoctorJson {
  ok: boolean;
  checks: { id: string; status: string; summary: string; fix?: string }[];
}

let sshd: TestSshd;
let noNode: TestSshd;

beforeAll(async () => {
  sshd = await startSshd();
  const bin = path.join(sshd.home, 'bin-without-node');
  mkdirSync(bin);
  for (const tool of ['sh', 'git', 'tmux', 'mkdir', 'pwd', 'true'])
    symlinkSync(path.join('/usr/bin', tool), path.join(bin, tool));
  noNode = await startSshd({ loginPath: bin });
}, 60_000);
afterAll(async () => {
  await sshd?.close();
  await noNode?.close();
  await cleanupTempRepos();
});

const toml = (value: unknown) => JSON.stringify(value);

function hostToml(
  name: string,
  server: { port: number; target: string; sshOptions: string[] },
  extra = '',
): string {
  return `\n[hosts.${name}]\nssh = ${toml(server.target)}\nport = ${server.port}\nssh_options = ${toml(server.sshOptions)}\n${extra}`;
}

async function doctor(hosts: string): Promise<{ exitCode: number; json: DoctorJson; repo: PlanRepo }> {
  const repo = await tempRepoWithPlan();
  expect((await repo.flux(['init', repo.planPath])).exitCode).toBe(0);
  const file = path.join(repo.root, '.work', 'config.toml');
  const text = (await repo.read('.work/config.toml')).replace(/^agent = "claude"$/m, 'agent = "sim"');
  writeFileSync(file, text + hosts);
  const result = await repo.flux(['doctor', '--json']);
  return { exitCode: result.exitCode, json: JSON.parse(result.stdout) as DoctorJson, repo };
}

const check = (json: DoctorJson, id: string) => {
  const found = json.checks.find((c) => c.id === id);
  if (found === undefined)
    throw new Error(`no check ${id} in ${JSON.stringify(json.checks.map((c) => c.id))}`);
  return found;
};

describe.skipIf(sshdSkipReason() !== undefined)('flux doctor: hosts', () => {
  it('a host with node, git, tmux and a writable dir: ✓ with what it has; dir made there', async () => {
    const dir = path.join(sshd.home, 'flux-dir');
    const { exitCode, json } = await doctor(hostToml('box1', sshd, `dir = ${toml(dir)}\n`));
    const box = check(json, 'hosts.box1');
    expect(box.status).toBe('ok');
    expect(box.summary).toMatch(
      new RegExp(
        `^box1 \\(${sshd.target}:${sshd.port}\\): node v\\d+\\.\\d+\\.\\d+, git \\d+\\.\\d+\\.\\d+, tmux \\S+, dir ${dir}$`,
      ),
    );
    expect(existsSync(dir)).toBe(true);
    expect(exitCode).toBe(0);
  });

  it('no server at the address: ✗ cannot log in, with what ssh said and how to fix it', async () => {
    const port = await freePort();
    const { exitCode, json } = await doctor(hostToml('gone', { ...sshd, port }));
    const gone = check(json, 'hosts.gone');
    expect(gone.status).toBe('fail');
    expect(gone.summary).toMatch(/^gone \(.*\): cannot log in: .*Connection refused/);
    expect(gone.fix).toContain(`ssh -p ${port} `);
    expect(exitCode).toBe(1);
  });

  it('a host key not in known_hosts is refused (BatchMode asks nothing), and the fix says so', async () => {
    const options = sshd.sshOptions.map((o) =>
      o.startsWith('UserKnownHostsFile=') ? 'UserKnownHostsFile=/dev/null' : o,
    );
    // By another name, so no connection kept open from an earlier test (ControlPersist) is reused.
    const target = `${sshd.user}@localhost`;
    const { exitCode, json } = await doctor(hostToml('newkey', { ...sshd, target, sshOptions: options }));
    const newkey = check(json, 'hosts.newkey');
    expect(newkey.status).toBe('fail');
    expect(newkey.summary).toContain('Host key verification failed');
    expect(newkey.fix).toMatch(/accept its key, or set check_host_key = false in \[hosts\.newkey\]/);
    expect(exitCode).toBe(1);
  });

  it('no node on the host, and a dir it cannot write: both named in one ✗', async () => {
    const { exitCode, json } = await doctor(hostToml('bare', noNode, 'dir = "/proc/flux"\n'));
    const bare = check(json, 'hosts.bare');
    expect(bare.status).toBe('fail');
    expect(bare.summary).toContain('no node (not installed)');
    expect(bare.summary).toContain('its dir /proc/flux is not writable');
    expect(bare.fix).toContain('install what is missing on bare');
    expect(exitCode).toBe(1);
  });
});
