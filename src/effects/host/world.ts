/**
 * One host as the runtime sees it: how to reach it, where Flux keeps its
 * things there (resolved once per process), its tmux, and its copy of Flux.
 * Made ready (folders, bundle, bare clone) before the first stage starts
 * there; every effect on it runs in the runtime, under the effects lock.
 */
import path from 'node:path';
import { hostPaths, projectKey, type HostPaths } from '../../hosts/layout.js';
import { runGit } from '../git/run.js';
import type { Tmux } from '../tmux.js';
import { gitSshEnv, hostUrl, type Transport } from './branches.js';
import { deployBundle, bundleId } from './bundle.js';
import { onHostOutput, type HostTarget } from './call.js';
import { prepareHost } from './repo.js';
import { createHostTmux } from './tmux.js';

/** What a host's `[hosts.<name>]` table says that the effects use. */
export interface HostSettings extends Omit<HostTarget, 'name'> {
  dir: string;
  flux: readonly string[];
}

export interface LocalSide {
  root: string;
  workDir: string;
  /** dist/bin of this Flux. */
  distBin: string;
  /** This machine's tmux socket (`-L`); the host's is `<socket>-<host>`, or its default server. */
  tmuxSocket: string | undefined;
}

/** `mkdir -p` the dir (relative: from the login's home) and print its absolute path. */
const RESOLVE_DIR = 'mkdir -p -- "$1" && cd -- "$1" && pwd -P';

export class HostWorld {
  readonly target: HostTarget;
  readonly tmux: Tmux;
  private resolved: Promise<HostPaths> | undefined;
  private prepared: Promise<HostPaths> | undefined;

  constructor(
    readonly name: string,
    readonly config: HostSettings,
    private readonly local: LocalSide,
  ) {
    this.target = { name, ...config };
    this.tmux = createHostTmux(this.target, hostTmuxSocket(local.tmuxSocket, name));
  }

  /** Where things are on the host (one call, then remembered; a failure is asked again next time). */
  paths(): Promise<HostPaths> {
    this.resolved ??= onHostOutput(this.target, [
      'sh',
      '-c',
      RESOLVE_DIR,
      'flux-dir',
      dirArg(this.config.dir),
    ]).then(
      (dir) => hostPaths(dir.trim(), this.local.root, bundleId(this.local.distBin)),
      (error: unknown) => {
        this.resolved = undefined;
        throw error;
      },
    );
    return this.resolved;
  }

  /** The folders, Flux's bundle and the bare clone, made once per process. */
  ready(): Promise<HostPaths> {
    this.prepared ??= (async () => {
      const id = bundleId(this.local.distBin);
      const prepared = await prepareHost(
        this.target,
        dirArg(this.config.dir),
        projectKey(this.local.root),
        id,
      );
      const paths = hostPaths(prepared.dir, this.local.root, id);
      this.resolved ??= Promise.resolve(paths);
      if (!prepared.hasBundle) await deployBundle(this.target, this.local.distBin, paths.bundle);
      return paths;
    })().catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    return this.prepared;
  }

  /** The argv prefix that runs Flux there: `flux` of its table, or Node and the bundle's main.js. */
  flux(paths: HostPaths): string[] {
    return this.config.flux.length > 0
      ? [...this.config.flux]
      : ['node', path.posix.join(paths.bundle, 'main.js')];
  }

  private gitEnv: Record<string, string> | undefined;
  private readonly pushes = new Map<string, Promise<void>>();

  /**
   * Pushes `branch` unless this process pushed it at its current commit
   * already: stages starting together from one base share one push.
   */
  async pushOnce(branch: string, push: () => Promise<void>): Promise<void> {
    const commit = (
      await runGit(['rev-parse', '--verify', `refs/heads/${branch}^{commit}`], { cwd: this.local.root })
    ).stdout.trim();
    const key = `${branch}@${commit}`;
    let pushed = this.pushes.get(key);
    if (pushed === undefined) {
      pushed = push().catch((error: unknown) => {
        this.pushes.delete(key);
        throw error;
      });
      this.pushes.set(key, pushed);
    }
    return pushed;
  }

  transport(paths: HostPaths): Transport {
    return {
      root: this.local.root,
      env: (this.gitEnv ??= gitSshEnv(this.local.workDir, this.target)),
      host: this.target,
      url: hostUrl(this.target, paths.repo),
    };
  }
}

/** `~/x` means x under the home, which is where a relative dir starts anyway. */
function dirArg(dir: string): string {
  return dir === '~' ? '.' : dir.startsWith('~/') ? dir.slice(2) : dir;
}

export function hostTmuxSocket(local: string | undefined, host: string): string | undefined {
  return local === undefined ? undefined : `${local}-${host}`;
}
