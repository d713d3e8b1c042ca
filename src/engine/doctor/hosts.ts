/**
 * `flux doctor`'s checks of `[hosts.<name>]`, pure: can Flux log in without a
 * password, and does the host have what a stage there needs (Node to run
 * Flux's hooks, git and tmux, a writable `dir`). Facts come from
 * src/engine/runtime/host-facts.ts.
 */
import { MIN_GIT, MIN_TMUX, parseMajorMinor } from './checks.js';
import type { Check, HostFact, VersionFact } from './types.js';

export const MIN_NODE_MAJOR = 20;

function versionProblem(
  fact: VersionFact,
  what: string,
  min: { major: number; minor: number },
): string | null {
  if (!fact.found) return `no ${what} (${fact.error})`;
  const version = parseMajorMinor(fact.output);
  if (version === null) return null;
  const old = version.major < min.major || (version.major === min.major && version.minor < min.minor);
  return old ? `${what} ${fact.output.trim()} is older than ${min.major}.${min.minor}` : null;
}

function loginFix(fact: HostFact): string {
  if (/host key verification failed/i.test(fact.reach.ok ? '' : fact.reach.why))
    return `ssh ${fact.target} once by hand to check and accept its key, or set check_host_key = false in [hosts.${fact.name}]`;
  return `make \`ssh ${fact.sshShown} true\` work without a password (your key in the host's authorized_keys), or fix [hosts.${fact.name}] in .work/config.toml`;
}

export function hostCheck(fact: HostFact): Check {
  const base = { group: 'hosts' as const, id: `hosts.${fact.name}` };
  if (!fact.reach.ok)
    return {
      ...base,
      status: 'fail',
      summary: `${fact.described}: cannot log in: ${fact.reach.why}`,
      fix: loginFix(fact),
    };
  const problems = [
    versionProblem(fact.node, 'node', { major: MIN_NODE_MAJOR, minor: 0 }),
    versionProblem(fact.git, 'git', MIN_GIT),
    versionProblem(fact.tmux, 'tmux', MIN_TMUX),
    fact.dir.ok ? null : `its dir ${fact.dir.path} is not writable (${fact.dir.error})`,
  ].filter((p): p is string => p !== null);
  if (problems.length > 0)
    return {
      ...base,
      status: 'fail',
      summary: `${fact.described}: ${problems.join('; ')}`,
      fix: `install what is missing on ${fact.name} (Node ${MIN_NODE_MAJOR}+, git ${MIN_GIT.major}.${MIN_GIT.minor}+, tmux ${MIN_TMUX.major}.${MIN_TMUX.minor}+) or set dir in [hosts.${fact.name}] to a folder it can write`,
    };
  const shown = (f: VersionFact) =>
    f.found
      ? f.output
          .trim()
          .replace(/^git version /, '')
          .replace(/^tmux /, '')
      : '?';
  return {
    ...base,
    status: 'ok',
    summary: `${fact.described}: node ${shown(fact.node)}, git ${shown(fact.git)}, tmux ${shown(fact.tmux)}, dir ${fact.dir.path}`,
  };
}

export const hostChecks = (hosts: readonly HostFact[]): Check[] => hosts.map(hostCheck);
