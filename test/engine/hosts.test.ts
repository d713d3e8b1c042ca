/** `[hosts.<name>]` as the config reads it: defaults, and every mistake named with its setting. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/engine/config.js';
import { ConfigError } from '../../src/errors.js';

const FILE = '.work/config.toml';
const config = (hosts: string) => parseConfig(`[plan]\npath = "PLAN.md"\n${hosts}`, FILE);

function refusal(hosts: string): string {
  try {
    config(hosts);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected the config to be refused');
}

describe('[hosts.<name>]', () => {
  it('none by default; a host needs only ssh, the rest has defaults', () => {
    expect(config('').hosts).toEqual({});
    expect(config('[hosts.box1]\nssh = "me@box1"\n').hosts).toEqual({
      box1: {
        ssh: 'me@box1',
        ssh_options: [],
        dir: '.flux',
        max_parallel: 4,
        flux: [],
        check_host_key: true,
      },
    });
  });

  it('every setting is read', () => {
    const hosts = config(
      '[hosts.b-2]\nssh = "ci@10.0.0.2"\nport = 2222\nssh_options = ["-i", "/k"]\ndir = "/srv/flux"\nmax_parallel = 8\nflux = ["/opt/flux/bin/flux"]\ncheck_host_key = false\n',
    ).hosts;
    expect(hosts['b-2']).toMatchObject({
      port: 2222,
      dir: '/srv/flux',
      max_parallel: 8,
      check_host_key: false,
    });
  });

  it.each([
    ['[hosts.box1]\nport = 22\n', 'hosts.box1.ssh'],
    ['[hosts.box1]\nssh = "me@box1"\nport = 70000\n', 'hosts.box1.port'],
    ['[hosts.box1]\nssh = "-oProxyCommand=x"\n', 'hosts.box1.ssh: must be user@host or a Host alias'],
    ['[hosts.box1]\nssh = "me@box1"\nuser = "me"\n', 'hosts.box1: unknown setting user'],
    ['[hosts.local]\nssh = "me@box1"\n', "hosts.local: 'local' is this machine"],
    ['[hosts.Box]\nssh = "me@box1"\n', 'hosts.Box: a host name is lowercase letters'],
    ['[hosts.box1]\nssh = "me@box1"\nmax_parallel = 0\n', 'hosts.box1.max_parallel'],
  ])('%j is refused naming %s', (hosts, named) => {
    const message = refusal(hosts);
    expect(message.startsWith(`${FILE}: `)).toBe(true);
    expect(message).toContain(named);
  });
});

describe('run.hosts and [stages] in the config', () => {
  const base = `[plan]\npath = "p.md"\n[hosts.box1]\nssh = "me@box1"\n`;
  it('names that are not local or a [hosts] table are refused, naming the field', () => {
    expect(() => parseConfig(`${base}[run]\nhosts = ["local", "box2"]\n`, 'c.toml')).toThrow(
      /c\.toml: run\.hosts\.1: unknown host 'box2' \(known: local, box1\)/,
    );
    expect(() => parseConfig(`${base}[stages.api]\nhost = "nope"\n`, 'c.toml')).toThrow(
      /c\.toml: stages\.api\.host: unknown host 'nope'/,
    );
    expect(() => parseConfig(`${base}[run]\nhosts = ["box1", "box1"]\n`, 'c.toml')).toThrow(/named twice/);
  });
  it('known names are taken, local by default', () => {
    expect(parseConfig(base, 'c.toml').run.hosts).toEqual(['local']);
    const config = parseConfig(
      `${base}[run]\nhosts = ["box1", "local"]\n[stages.api]\nhost = "box1"\n`,
      'c.toml',
    );
    expect(config.run.hosts).toEqual(['box1', 'local']);
    expect(config.stages).toEqual({ api: { host: 'box1' } });
  });
});
