/**
 * A call to a host opened before its request (src/effects/host/open-call.ts),
 * over a real OpenSSH server on 127.0.0.1: the request written later is
 * what the command reads; a dismissed call ends there having read nothing;
 * a call that ended before it was asked says so (null) rather than failing;
 * and an idle open call holds nothing of the process alive.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostTarget } from '../../../src/effects/host/call.js';
import { OpenCall } from '../../../src/effects/host/open-call.js';
import { sshdSkipReason, startSshd, type TestSshd } from '../../helpers/sshd.js';
import { waitFor } from '../../helpers/wait.js';

describe.skipIf(sshdSkipReason() !== undefined)('a call opened ahead', () => {
  let sshd: TestSshd;
  let host: HostTarget;
  beforeAll(async () => {
    sshd = await startSshd();
    host = {
      name: 'box1',
      ssh: sshd.target,
      port: sshd.port,
      ssh_options: sshd.sshOptions,
      check_host_key: true,
    };
  });
  afterAll(async () => {
    await sshd?.close();
  });

  /** A command there that says it started (a file), then answers with what it read. */
  const echoing = (mark: string) => [
    'sh',
    '-c',
    'touch "$1"; input=$(cat); printf "read:%s" "$input"; [ -n "$input" ] || touch "$1.empty"',
    'echo',
    mark,
  ];

  it('the request written once the command runs there is what it reads; its answer comes back', async () => {
    const mark = path.join(sshd.home, 'started-1');
    const call = new OpenCall(host, echoing(mark));
    // The command is running there before anything is asked.
    await waitFor(() => (existsSync(mark) ? true : undefined), { what: 'the command started there' });
    expect(call.open).toBe(true);
    const result = await call.ask('{"hello":1}', 30_000);
    expect(result).toEqual({ exitCode: 0, stdout: 'read:{"hello":1}', stderr: '' });
    expect(call.open).toBe(false);
    // Asked once only.
    expect(await call.ask('again', 30_000)).toBeNull();
  });

  it('dismissed, the command there reads nothing and ends', async () => {
    const mark = path.join(sshd.home, 'started-2');
    const call = new OpenCall(host, echoing(mark));
    await waitFor(() => (existsSync(mark) ? true : undefined), { what: 'the command started there' });
    call.dismiss();
    await waitFor(() => (existsSync(`${mark}.empty`) ? true : undefined), {
      what: 'the command read nothing',
    });
    expect(call.open).toBe(false);
  });

  it('a call that ended before it was asked answers null', async () => {
    const call = new OpenCall(host, ['sh', '-c', 'exit 0']);
    await waitFor(() => (call.open ? undefined : true), { what: 'the call ended' });
    expect(await call.ask('{}', 30_000)).toBeNull();
  });

  it('ssh failing is the host unreachable', async () => {
    const call = new OpenCall({ ...host, port: 1 }, ['true']);
    const asked = call.ask('{}', 30_000);
    await expect(asked).rejects.toThrow(/host box1 cannot be reached/);
  });

  it('an idle open call keeps nothing alive: a process that opens one ends, and so does the command there', async () => {
    const mark = path.join(sshd.home, 'started-3');
    // The built module (npm run build), in a process of its own.
    const built = path.resolve('dist/effects/host/open-call.js');
    const script = `
      import { OpenCall } from ${JSON.stringify(built)};
      new OpenCall(${JSON.stringify(host)}, ${JSON.stringify(echoing(mark))});
      // Ended when nothing else holds it: long before this timer.
      setTimeout(() => {}, 20_000).unref();
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    // The command there, if it had started, read an empty request when the process went.
    if (existsSync(mark))
      await waitFor(() => (existsSync(`${mark}.empty`) ? true : undefined), {
        what: 'the command there ended',
      });
  });
});
