/**
 * Asking each `[hosts.<name>]` what `flux doctor` checks: one login, then the
 * versions of node, git and tmux and whether `dir` can be made and written,
 * each an argv over the same multiplexed connection. Nothing is installed or
 * changed there except `dir` being created.
 */
import type { FluxConfig } from '../config.js';
import type { HostFact, VersionFact } from '../doctor/types.js';
import { describeHost, type HostConfig } from '../hosts.js';
import { runOnHost } from '../../effects/ssh/run.js';

// `dir` arrives as $1, never inside the script.
const MAKE_DIR = 'mkdir -p -- "$1" && test -w "$1" && cd -- "$1" && pwd';

async function version(host: HostConfig, argv: string[]): Promise<VersionFact> {
  const result = await runOnHost(host, argv, { timeoutMs: 20_000 });
  if (!result.ok) return { found: false, error: result.why };
  if (result.exitCode !== 0)
    return {
      found: false,
      error: result.exitCode === 127 ? 'not installed' : result.stderr.trim() || `exited ${result.exitCode}`,
    };
  return { found: true, output: result.stdout.trim() };
}

export async function hostFact(name: string, host: HostConfig): Promise<HostFact> {
  const shown = [
    ...(host.port === undefined ? [] : ['-p', String(host.port)]),
    ...host.ssh_options,
    host.ssh,
  ].join(' ');
  const base = { name, described: describeHost(name, host), target: host.ssh, sshShown: shown };
  const login = await runOnHost(host, ['true'], { timeoutMs: 20_000 });
  const missing: VersionFact = { found: false, error: 'not asked: no login' };
  if (!login.ok)
    return {
      ...base,
      reach: { ok: false, why: login.why },
      node: missing,
      git: missing,
      tmux: missing,
      dir: { ok: false, path: host.dir, error: 'not asked' },
    };
  const [node, git, tmux, made] = await Promise.all([
    version(host, ['node', '--version']),
    version(host, ['git', '--version']),
    version(host, ['tmux', '-V']),
    runOnHost(host, ['sh', '-c', MAKE_DIR, 'sh', host.dir], { timeoutMs: 20_000 }),
  ]);
  const dir: HostFact['dir'] =
    made.ok && made.exitCode === 0
      ? { ok: true, path: made.stdout.trim() }
      : {
          ok: false,
          path: host.dir,
          error: made.ok ? made.stderr.trim() || `exited ${made.exitCode}` : made.why,
        };
  return { ...base, reach: { ok: true }, node, git, tmux, dir };
}

/** Every configured host, asked at the same time. */
export function gatherHostFacts(config: FluxConfig): Promise<HostFact[]> {
  return Promise.all(Object.entries(config.hosts).map(([name, host]) => hostFact(name, host)));
}
