/**
 * The hosts a run may place stages on, checked before anything starts
 * (docs/hosts.md): a host that answers but lacks what a stage needs (Node,
 * git, tmux, a writable `dir`) is a clear error now, with `flux doctor`'s
 * words and fix, rather than sessions that crash there later. A host that
 * does not answer stops nothing: it is recorded as unreachable, and its
 * stages wait for it (pinned) or go elsewhere. A host that passes is made
 * ready before the run starts (src/effects/host/world.ts).
 */
import { ConfigError } from '../../errors.js';
import { hostCheck } from '../doctor/hosts.js';
import { LOCAL_HOST, machinesOf } from '../hosts.js';
import type { Runtime } from '../runtime.js';
import { hostFact } from './host-facts.js';

export async function checkHosts(rt: Runtime): Promise<void> {
  const names = (machinesOf(rt.config)?.order ?? []).filter((name) => name !== LOCAL_HOST);
  const facts = await Promise.all(names.map((name) => hostFact(name, rt.config.hosts[name]!)));
  for (const fact of facts) {
    const check = hostCheck(fact);
    if (!fact.reach.ok) {
      rt.note(`${check.summary}: its stages wait for it or go elsewhere`);
      const why = fact.reach.why;
      rt.engine.commit((state) => ({
        events:
          state.unreachable?.[fact.name] === undefined
            ? [{ type: 'host.unreachable', host: fact.name, reason: why }]
            : [],
        effects: [],
      }));
    } else if (check.status === 'fail') {
      throw new ConfigError(`host ${check.summary}`, `${check.fix ?? ''}; \`flux doctor\` checks every host`);
    }
  }
  // Made ready now (its folders, clone and Flux's copy), so the first start there is one call less;
  // its launch call opens as soon as it is (the run's supervisor keeps one open).
  await Promise.all(
    facts
      .filter((fact) => fact.reach.ok)
      .map((fact) => {
        const world = rt.hostWorld(fact.name);
        return world
          .ready()
          .then(() => world.keepLaunchOpen(true))
          .catch(() => undefined);
      }),
  );
}
