/**
 * The relays of a running monitor (docs/hosts.md, "How a host's calls reach
 * the log"): one drainer per host the plan has unmerged stages on, started
 * as soon as the log places a stage there and kept until the monitor ends.
 * A host that cannot be made ready yet (unreachable) is tried again at the
 * next round; a drainer once started reconnects by itself.
 */
import type { Runtime } from '../runtime.js';
import { hostsOfStages, type FluxState } from '../state.js';
import { HostDrain } from './host-drain/drainer.js';

/** The hosts with a stage not merged yet: their agents may still call. */
export function hostsWithWork(state: FluxState): string[] {
  return hostsOfStages(state, { merged: false });
}

export class HostRelays {
  private readonly drains = new Map<string, HostDrain>();
  private readonly starting = new Map<string, Promise<void>>();
  private closed = false;
  /** Hosts whose relay lost its connection: its return is said once it is back. */
  private readonly lost = new Set<string>();

  constructor(private readonly rt: Runtime) {}

  /** Starts the drainers the state calls for; never waits on a host. */
  ensure(state: FluxState): void {
    for (const name of hostsWithWork(state)) {
      if (this.closed || this.drains.has(name) || this.starting.has(name)) continue;
      if (this.rt.config.hosts[name] === undefined) continue;
      const world = this.rt.hostWorld(name);
      const start = world
        .ready()
        .then((paths) => {
          if (this.closed) return;
          const drain = new HostDrain({
            engine: this.rt.engine,
            hostName: name,
            target: world.target,
            hostFlux: world.flux(paths),
            paths,
            onReachability: (host, reachable, why) => this.reachability(host, reachable, why),
            onNote: (host, text) => this.rt.note(`${host}: ${text}`),
          });
          this.drains.set(name, drain);
          drain.start();
        })
        // Not ready (cannot be reached, a bundle that did not copy): asked again at the next round.
        .catch(() => {})
        .finally(() => this.starting.delete(name));
      this.starting.set(name, start);
    }
  }

  private reachability(host: string, reachable: boolean, why: string): void {
    if (!reachable) {
      this.lost.add(host);
      this.rt.note(`${host}: the relay's connection is gone (${why}); connecting again`);
    } else if (this.lost.delete(host)) {
      this.rt.note(`${host}: the relay is connected again`);
    }
  }

  /** Ends every relay: calls still on the hosts stay in their spools for the next run. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.starting.values()]);
    await Promise.all([...this.drains.values()].map((drain) => drain.stop()));
    this.drains.clear();
  }
}
