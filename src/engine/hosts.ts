/**
 * `[hosts.<name>]` of `.work/config.toml`: the machines reached over SSH
 * (docs/hosts.md). The shape is checked here when the config is read; what a
 * host actually has (Node, git, tmux, a writable `dir`) is `flux doctor`'s.
 */
import { z } from 'zod';

/** The name this machine goes by; no `[hosts.local]` can be defined. */
export const LOCAL_HOST = 'local';

const HOST_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export const hostSchema = z
  .object({
    /** `user@host`, or a `Host` alias of ~/.ssh/config. */
    ssh: z
      .string()
      .min(1)
      .refine(
        (s) => !s.startsWith('-') && !/\s/.test(s),
        'must be user@host or a Host alias (no spaces, no leading -)',
      ),
    port: z.number().int().min(1).max(65_535).optional(),
    /** More ssh arguments, e.g. ["-i", "~/.ssh/box1"]. */
    ssh_options: z.array(z.string()).default([]),
    /** Where Flux keeps its clone and worktrees there; relative paths are from the login's home. */
    dir: z.string().min(1).default('.flux'),
    max_parallel: z.number().int().min(1).max(64).default(4),
    /** argv that runs Flux there; empty: Node there runs the copy Flux puts in `dir`. */
    flux: z.array(z.string()).default([]),
    /** false: accept any host key (a throwaway VM); true checks it against known_hosts. */
    check_host_key: z.boolean().default(true),
  })
  .strict();

export type HostConfig = z.infer<typeof hostSchema>;

export const hostsSchema = z
  .record(z.string(), hostSchema)
  .default({})
  .superRefine((hosts, ctx) => {
    for (const name of Object.keys(hosts)) {
      if (name === LOCAL_HOST)
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `'${LOCAL_HOST}' is this machine; name the host otherwise`,
        });
      else if (!HOST_NAME.test(name))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'a host name is lowercase letters, digits, - and _ (up to 32)',
        });
    }
  });

/** How a host is shown: `box1 (me@box1.lan:2222)`. */
export function describeHost(name: string, host: HostConfig): string {
  return `${name} (${host.ssh}${host.port === undefined ? '' : `:${host.port}`})`;
}

/** The scheduler's view of `run.hosts`, `[hosts]` and `[stages]`; undefined when every stage runs here. */
export function machinesOf(config: {
  run: { hosts: readonly string[] };
  hosts: Readonly<Record<string, HostConfig>>;
  stages: Readonly<Record<string, { host: string }>>;
}): { order: readonly string[]; slots: Record<string, number>; pins: Record<string, string> } | undefined {
  const pins = Object.fromEntries(Object.entries(config.stages).map(([id, s]) => [id, s.host]));
  if (config.run.hosts.length === 1 && config.run.hosts[0] === LOCAL_HOST && Object.keys(pins).length === 0)
    return undefined;
  const slots = Object.fromEntries(Object.entries(config.hosts).map(([name, h]) => [name, h.max_parallel]));
  // A pinned stage's host takes sessions even when run.hosts does not name it.
  const order = [...config.run.hosts, ...Object.values(pins).filter((p) => !config.run.hosts.includes(p))];
  return { order: [...new Set(order)], slots, pins };
}

/** `{ machines }` for decideStarts' options, or nothing when every stage runs here. */
export function machinesFor(config: Parameters<typeof machinesOf>[0]): {
  machines?: ReturnType<typeof machinesOf> & object;
} {
  const machines = machinesOf(config);
  return machines === undefined ? {} : { machines };
}
