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
import type { BaseBundle } from '../../hosts/launch.js';
import { baseBundle } from './base.js';
import { gitSshEnv, hostUrl, pushRefs, type Transport } from './branches.js';
import { deployBundle, bundleId } from './bundle.js';
import type { ToolResult } from '../exec.js';
import { onHost, onHostOutput, type HostTarget } from './call.js';
import { OpenCall } from './open-call.js';
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
      this.heads = prepared.heads;
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
  /** The clone's branches there, as it said when made ready and as sent since. */
  private heads = new Map<string, string>();
  /** What goes for `<branch>@<commit>`, made once for the stages starting from it. */
  private readonly sending = new Map<string, Promise<BaseBundle | undefined>>();

  /**
   * What a launch from `branch` (a base) must bring to the host: nothing
   * when its clone has the branch at its commit here; else a bundle of what
   * it lacks (base.ts), or, when none can be made, a push first. Asked early
   * (as a start begins) and again by the launch, which finds it made.
   */
  async baseFor(branch: string): Promise<BaseBundle | undefined> {
    const paths = await this.ready();
    const commit = (
      await runGit(['rev-parse', '--verify', `refs/heads/${branch}^{commit}`], { cwd: this.local.root })
    ).stdout.trim();
    if (this.heads.get(branch) === commit) return undefined;
    const key = `${branch}@${commit}`;
    let sent = this.sending.get(key);
    if (sent === undefined) {
      sent = this.makeBase(paths, branch, commit).catch((error: unknown) => {
        this.sending.delete(key);
        throw error;
      });
      this.sending.set(key, sent);
    }
    return sent;
  }

  private async makeBase(paths: HostPaths, branch: string, commit: string): Promise<BaseBundle | undefined> {
    const scratch = path.join(this.local.workDir, 'hosts', this.name);
    const bundle = await baseBundle(this.local.root, scratch, branch, this.heads.get(branch));
    if (bundle !== null) return bundle;
    await pushRefs(this.transport(paths), [branch]);
    this.landed(branch, commit);
    return undefined;
  }

  /** The host's clone has `branch` at `commit` (a launch with its bundle answered). */
  landed(branch: string, commit: string): void {
    this.heads.set(branch, commit);
    this.forgetSending(branch);
  }

  /** What the clone has of `branch` is no longer known (a launch with its bundle failed). */
  forget(branch: string): void {
    this.heads.delete(branch);
    this.forgetSending(branch);
  }

  private forgetSending(branch: string): void {
    for (const key of this.sending.keys())
      if (key.slice(0, key.lastIndexOf('@')) === branch) this.sending.delete(key);
  }

  private keepOpen = false;
  private standby: OpenCall | undefined;

  /** While on (a supervisor runs), a launch call is kept open ahead (open-call.ts). */
  keepLaunchOpen(on: boolean): void {
    this.keepOpen = on;
    if (!on) {
      this.standby?.dismiss();
      this.standby = undefined;
      return;
    }
    this.ready().then(
      (paths) => this.openAhead(paths),
      () => {},
    );
  }

  /**
   * Asks `flux host launch` there: on the call kept open (another opens
   * once it has answered, so the two do not compete), or on a new one.
   */
  async askLaunch(paths: HostPaths, input: string, timeoutMs: number): Promise<ToolResult> {
    const call = this.standby?.open === true ? this.standby : this.openLaunch(paths);
    this.standby = undefined;
    try {
      return (
        (await call.ask(input, timeoutMs)) ??
        // It had ended before it was asked: a new one.
        (await onHost(this.target, [...this.flux(paths), 'host', 'launch'], { input, timeoutMs }))
      );
    } finally {
      this.openAhead(paths);
    }
  }

  private openAhead(paths: HostPaths): void {
    if (this.keepOpen && this.standby?.open !== true) this.standby = this.openLaunch(paths);
  }

  private openLaunch(paths: HostPaths): OpenCall {
    return new OpenCall(this.target, [...this.flux(paths), 'host', 'launch']);
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
