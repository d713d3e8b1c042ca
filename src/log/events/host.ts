/**
 * Hosts reached over SSH (docs/hosts.md): whether Flux can reach one. A
 * host that cannot be reached is shown and a person is told; its sessions
 * are not taken for dead (nothing there can be seen), and its stages that
 * need a new session go elsewhere unless pinned there.
 */
import { z } from 'zod';
import { event } from './envelope.js';

const hostName = z.string().min(1);

export const hostUnreachable = event('host.unreachable', {
  host: hostName,
  /** ssh's own words. */
  reason: z.string(),
});

export const hostReachable = event('host.reachable', { host: hostName });
