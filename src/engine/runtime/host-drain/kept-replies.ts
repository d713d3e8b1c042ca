/**
 * The replies kept here, per host (`.work/hosts/<host>/replies/<id>.json`):
 * a request is applied once. One sent again (its acknowledgement was lost
 * with the connection) is answered from what was kept, not applied twice.
 * Kept a day: a host sends a request again within seconds of reconnecting.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RelayReply } from '../../../hosts/protocol.js';
import { parseJson, parseReply, REQUEST_ID } from '../../../hosts/shape.js';
import { removeOlderThan, writeDurably } from '../../../hosts/spool.js';

export const KEPT_REPLY_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** `.work/hosts/<host>`: what Flux keeps here about a host. */
export function hostStateDir(workDir: string, host: string): string {
  return path.join(workDir, 'hosts', host);
}

export class KeptReplies {
  readonly dir: string;

  constructor(workDir: string, host: string) {
    this.dir = path.join(hostStateDir(workDir, host), 'replies');
  }

  private file(id: string): string {
    // The id names a file: only the UUID form ever reaches here (shape.ts), checked again all the same.
    if (!REQUEST_ID.test(id)) throw new Error(`not a request id: ${JSON.stringify(id)}`);
    return path.join(this.dir, `${id}.json`);
  }

  /** The reply kept for `id`; null if it was never applied (or its file is not a reply). */
  get(id: string): RelayReply | null {
    let text: string;
    try {
      text = readFileSync(this.file(id), 'utf8');
    } catch {
      return null;
    }
    const reply = parseReply(parseJson(text));
    return typeof reply === 'string' ? null : reply;
  }

  put(id: string, reply: RelayReply): void {
    writeDurably(this.file(id), `${JSON.stringify(reply)}\n`);
  }

  /** Removes the replies older than a day; returns how many. */
  prune(now = Date.now()): number {
    return removeOlderThan(this.dir, KEPT_REPLY_MAX_AGE_MS, () => true, now).length;
  }
}
