import { describe, expect, it } from 'vitest';
import { controlDir, sshArgs } from '../../../src/effects/ssh/argv.js';

const host = {
  ssh: 'me@box1',
  ssh_options: ['-i', '/keys/box1', '-o', 'ControlPersist=5'],
  check_host_key: true,
};

describe('sshArgs', () => {
  it('no password prompt and the host key checked come before anything the host adds', () => {
    const args = sshArgs(host, { command: 'true' });
    expect(args.slice(0, 4)).toEqual(['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes']);
    // ssh keeps the first value of an option: the host's ControlPersist wins over Flux's default.
    expect(args.indexOf('ControlPersist=5')).toBeLessThan(args.indexOf('ControlPersist=60'));
    expect(args.slice(-3)).toEqual(['-T', 'me@box1', 'true']);
  });

  it('one multiplexed connection per host, its socket outside the repository', () => {
    const args = sshArgs(host);
    expect(args).toContain('ControlMaster=auto');
    expect(args).toContain(`ControlPath=${controlDir()}/%C`);
    expect(`${controlDir()}/${'f'.repeat(40)}`.length).toBeLessThan(104);
  });

  it('port, a terminal for attach, and check_host_key = false', () => {
    const args = sshArgs(
      { ...host, port: 2222, check_host_key: false },
      { tty: true, command: 'tmux attach' },
    );
    expect(args).toContain('StrictHostKeyChecking=no');
    expect(args.slice(args.indexOf('-p'), args.indexOf('-p') + 2)).toEqual(['-p', '2222']);
    expect(args.slice(-3)).toEqual(['-t', 'me@box1', 'tmux attach']);
  });
});
