/**
 * `flux host drain <work>`: the host's end of the relay, run by the machine
 * that runs the plan over ssh (docs/hosts.md). It streams the spool out, one
 * JSON line per request in file-name order (those waiting first, then
 * `{"ready":…}`, then each new one as it appears), and takes the
 * acknowledgements in: for each, the reply file is written (whole), and only
 * then is the request removed. A request is sent at most once per
 * connection; one not acknowledged is sent again on the next. It ends when
 * its stdin closes (the connection is gone).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { AckLine, DrainLine } from './protocol.js';
import { parseAck, parseJson, parseRequest } from './shape.js';
import {
  idOfRequestFile,
  isTemporaryFile,
  pendingRequestFiles,
  removeOlderThan,
  replyFile,
  repliesDir,
  spoolDir,
  writeDurably,
} from './spool.js';

/** A look at the spool even without a change notice (some filesystems send none). */
export const RESCAN_MS = 250;
/** A reply no call has taken in this long is for a call that gave up waiting. */
export const REPLY_MAX_AGE_MS = 10 * 60 * 1000;
const SWEEP_MS = 30_000;

export interface DrainStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** What the drain has to say besides its stream (a request it set aside): ssh carries it to stderr there. */
  note(text: string): void;
}

const processStreams: DrainStreams = {
  input: process.stdin,
  output: process.stdout,
  note: (text) => process.stderr.write(`flux host drain: ${text}\n`),
};

/** Runs until stdin closes; resolves with the exit code. */
export function runDrain(workDir: string, streams: DrainStreams = processStreams): Promise<number> {
  const spool = spoolDir(workDir);
  const replies = repliesDir(workDir);
  mkdirSync(spool, { recursive: true });
  mkdirSync(replies, { recursive: true });
  /** Requests sent on this connection and not yet acknowledged: id → file name. */
  const sent = new Map<string, string>();
  let ended = false;

  const send = (line: DrainLine): void => {
    if (!ended) streams.output.write(`${JSON.stringify(line)}\n`);
  };

  /** A file that is not a request (another version's, or damaged) is renamed aside, never sent or lost. */
  const setAside = (name: string, why: string): void => {
    try {
      renameSync(path.join(spool, name), path.join(spool, `${name}.bad`));
    } catch {
      // Gone meanwhile.
    }
    streams.note(`${path.join(spool, name)} is not a request (${why}): kept as ${name}.bad`);
  };

  const scan = (): number => {
    let count = 0;
    for (const name of pendingRequestFiles(spool)) {
      if (ended) break;
      const id = idOfRequestFile(name)!;
      if (sent.has(id)) continue;
      let text: string;
      try {
        text = readFileSync(path.join(spool, name), 'utf8');
      } catch {
        continue; // Acknowledged and removed meanwhile.
      }
      const request = parseRequest(parseJson(text));
      if (typeof request === 'string') {
        setAside(name, request);
        continue;
      }
      if (request.id !== id) {
        setAside(name, `its id ${request.id} is not the one in its name`);
        continue;
      }
      sent.set(id, name);
      send({ request });
      count++;
    }
    return count;
  };

  const acknowledge = ({ ack, reply }: AckLine): void => {
    const name = sent.get(ack) ?? pendingRequestFiles(spool).find((file) => idOfRequestFile(file) === ack);
    if (name === undefined) {
      streams.note(`an acknowledgement for ${ack}, which is not in the spool: ignored`);
      return;
    }
    // The reply first: a crash between the two leaves the request, which is sent again and answered from what was kept.
    writeDurably(replyFile(workDir, ack), `${JSON.stringify(reply)}\n`);
    rmSync(path.join(spool, name), { force: true });
    sent.delete(ack);
  };

  const sweep = (): void => {
    removeOlderThan(replies, REPLY_MAX_AGE_MS);
    removeOlderThan(spool, REPLY_MAX_AGE_MS, isTemporaryFile);
  };

  sweep();
  send({ ready: { pending: scan() } });

  return new Promise((resolve) => {
    let scheduled = false;
    const scanSoon = (): void => {
      if (scheduled || ended) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        if (!ended) scan();
      });
    };
    let watcher: FSWatcher | null = null;
    try {
      watcher = watch(spool, scanSoon);
      watcher.on('error', () => watcher?.close());
    } catch {
      // No change notices here: the rescan still finds every request.
    }
    const rescan = setInterval(scanSoon, RESCAN_MS);
    const sweeping = setInterval(sweep, SWEEP_MS);

    const lines = createInterface({ input: streams.input, crlfDelay: Infinity });
    const end = (): void => {
      if (ended) return;
      ended = true;
      watcher?.close();
      clearInterval(rescan);
      clearInterval(sweeping);
      lines.close();
      resolve(0);
    };
    // The connection gone: nothing more can be sent (EPIPE) or acknowledged.
    streams.output.on('error', end);
    lines.on('line', (line) => {
      if (line.trim() === '' || ended) return;
      const ack = parseAck(parseJson(line));
      if (typeof ack === 'string') {
        streams.note(`not an acknowledgement (${ack}): ${line.slice(0, 200)}`);
        return;
      }
      try {
        acknowledge(ack);
      } catch (error) {
        // The request stays: it is sent again on the next connection and answered from the reply kept there.
        streams.note(`could not take the acknowledgement of ${ack.ack}: ${(error as Error).message}`);
      }
    });
    lines.on('close', end);
  });
}
