/**
 * The drainer: this machine's end of one host's relay (docs/hosts.md, "How a
 * host's calls reach the log"). It keeps `flux host drain` running on the
 * host over ssh (the multiplexed connection), and for each request that
 * comes: checks it against the log, answers it from the reply kept here if
 * it was applied before, else applies it as the local call would be, keeps
 * the reply, and only then acknowledges it. A dropped connection is made
 * again, with backoff, for as long as the drainer runs; the host then sends
 * what is not acknowledged yet, and nothing is applied twice.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { controlDir, sshArgs, type SshTarget } from '../../../effects/ssh/argv.js';
import { remoteCommand } from '../../../effects/ssh/quote.js';
import type { HostPaths } from '../../../hosts/layout.js';
import type { AckLine, RelayReply, RelayRequest } from '../../../hosts/protocol.js';
import { parseJson, parseRequest } from '../../../hosts/shape.js';
import type { Engine } from '../../engine.js';
import { refusal } from './admit.js';
import { ApplyAborted, applyRequest, localEntry, type LocalEntry } from './apply.js';
import { receiveHandoffs } from './handoffs.js';
import { KeptReplies } from './kept-replies.js';
import { laneOf, Lanes } from './lanes.js';

export interface HostDrainOptions {
  engine: Engine;
  hostName: string;
  target: SshTarget;
  /** The argv prefix that runs Flux's main.js on the host, e.g. `['node', '<bundle>/main.js']`. */
  hostFlux: string[];
  paths: HostPaths;
  /** Each change: the drain runs there (true), or the connection is gone or could not be made (false). */
  onReachability(host: string, reachable: boolean, why: string): void;
  /** A refused request, a handoff not written, what the host's drain said. */
  onNote(host: string, text: string): void;
  /** The first wait before connecting again, and the longest (0.5 s doubling to 5 s). */
  backoff?: { firstMs: number; maxMs: number };
  /** What applies a request (tests: a built copy of dist/bin). */
  entry?: LocalEntry;
  /** The environment requests are applied in, before the request's own (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/** Once stopping, in-flight calls get this long to finish before they are ended. */
const STOP_GRACE_MS = 5_000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** A request that could not be applied is tried again after this long. */
const RETRY_MS = 5_000;
const DRAIN_NOTE = 'flux host drain: ';

/** What a refused request is answered with (the host's call prints it and exits 3). */
export function refusedReply(why: string): RelayReply {
  return { stdout: '', stderr: `refused: ${why}\n`, exitCode: 3 };
}

/** `Stop of stage-2-api.s1`, `flux done of …`: a request as a note names it. */
export function describeRequest(request: RelayRequest): string {
  const what =
    request.kind === 'hook'
      ? request.hook
      : request.kind === 'exit'
        ? `AgentExit ${request.status}`
        : `flux ${request.argv.join(' ')}`;
  return `${what} of ${request.session} (${request.id})`;
}

export class HostDrain {
  readonly hostName: string;
  private readonly options: HostDrainOptions;
  private readonly kept: KeptReplies;
  private readonly lanes = new Lanes();
  private readonly entry: LocalEntry;
  /** Requests queued or being applied, by id: one sent again meanwhile waits for the same answer. */
  private readonly known = new Map<string, Promise<void>>();
  private readonly aborts = new AbortController();
  private readonly retries = new Set<NodeJS.Timeout>();
  private child: ChildProcessWithoutNullStreams | null = null;
  private reconnect: NodeJS.Timeout | null = null;
  private pruning: NodeJS.Timeout | null = null;
  private delayMs: number;
  private reachable: boolean | null = null;
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(options: HostDrainOptions) {
    this.options = options;
    this.hostName = options.hostName;
    this.kept = new KeptReplies(options.engine.ws.workDir, options.hostName);
    this.entry = options.entry ?? localEntry();
    this.delayMs = this.backoff.firstMs;
  }

  private get backoff(): { firstMs: number; maxMs: number } {
    return this.options.backoff ?? { firstMs: 500, maxMs: 5_000 };
  }

  start(): void {
    if (this.child !== null || this.stopping) return;
    this.prune();
    this.pruning = setInterval(() => this.prune(), PRUNE_EVERY_MS);
    this.pruning.unref();
    this.connect();
  }

  /** Ends the connection (the drain there ends with its stdin) and the calls in flight (they stay on the host). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.reconnect !== null) clearTimeout(this.reconnect);
    if (this.pruning !== null) clearInterval(this.pruning);
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    const child = this.child;
    if (child !== null) {
      child.stdin.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      child.kill('SIGTERM');
      await this.exited;
      clearTimeout(killer);
    }
    const inFlight = [...this.known.values()];
    const grace = setTimeout(() => this.aborts.abort(), STOP_GRACE_MS);
    await Promise.allSettled(inFlight);
    clearTimeout(grace);
  }

  /** A line in `.work/logs/relay.log`, and to the callback unless it is only for the log. */
  private note(text: string, logOnly = false): void {
    const line = `${new Date().toISOString()} ${this.hostName} ${text}\n`;
    try {
      const dir = path.join(this.options.engine.ws.workDir, 'logs');
      mkdirSync(dir, { recursive: true });
      appendFileSync(path.join(dir, 'relay.log'), line);
    } catch {
      // The callback still hears it.
    }
    if (!logOnly) this.options.onNote(this.hostName, text);
  }

  private setReachable(reachable: boolean, why: string): void {
    if (this.reachable === reachable) return;
    this.reachable = reachable;
    this.options.onReachability(this.hostName, reachable, why);
  }

  private prune(): void {
    try {
      this.kept.prune();
    } catch (error) {
      this.note(`could not prune ${this.kept.dir}: ${(error as Error).message}`);
    }
  }

  private connect(): void {
    this.reconnect = null;
    if (this.stopping) return;
    const { target, hostFlux, paths } = this.options;
    mkdirSync(controlDir(), { recursive: true, mode: 0o700 });
    const command = remoteCommand([...hostFlux, 'host', 'drain', paths.work]);
    const child = spawn('ssh', sshArgs(target, { command }), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    let complaint = '';
    child.stdin.on('error', () => {
      // The connection went; its exit says why.
    });
    createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => {
      if (line.startsWith(DRAIN_NOTE)) this.note(`the host's drain: ${line.slice(DRAIN_NOTE.length)}`);
      else if (line.trim() !== '') complaint = line.trim();
    });
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) =>
      this.onLine(child, line),
    );
    this.exited = new Promise((resolve) => {
      let failed: Error | null = null;
      child.on('error', (error) => (failed = error));
      child.on('close', (code, signal) => {
        if (this.child === child) this.child = null;
        const why =
          failed !== null
            ? `ssh could not run: ${failed.message}`
            : complaint !== ''
              ? complaint
              : `the connection ended (ssh ${signal === null ? `exited ${code}` : `killed by ${signal}`})`;
        if (!this.stopping) {
          this.setReachable(false, why);
          this.reconnect = setTimeout(() => this.connect(), this.delayMs);
          this.delayMs = Math.min(this.delayMs * 2, this.backoff.maxMs);
        }
        resolve();
      });
    });
  }

  private onLine(child: ChildProcessWithoutNullStreams, line: string): void {
    if (line.trim() === '') return;
    const message = parseJson(line) as { request?: unknown; ready?: { pending?: unknown } } | undefined;
    if (message?.ready !== undefined) {
      this.delayMs = this.backoff.firstMs;
      this.setReachable(true, `the drain runs there (${String(message.ready.pending)} waiting)`);
      return;
    }
    if (message?.request === undefined) {
      this.note(`not a line of the drain: ${line.slice(0, 200)}`);
      return;
    }
    const request = parseRequest(message.request);
    if (typeof request === 'string') {
      this.note(`not a request (${request}): ${line.slice(0, 200)}`);
      return;
    }
    if (child !== this.child) return;
    this.receive(request);
  }

  private receive(request: RelayRequest): void {
    // Queued or in flight already (sent again after a reconnection): its answer goes out when it is done.
    if (this.known.has(request.id)) return;
    const kept = this.kept.get(request.id);
    if (kept !== null) {
      // The usual case after a reconnection (applied while the link was down): for the log only.
      this.note(`${describeRequest(request)} came again: answered from the reply kept here`, true);
      this.acknowledge(request.id, kept);
      return;
    }
    const job = this.lanes
      .run(laneOf(request), () => this.handle(request))
      .catch((error: unknown) => {
        if (error instanceof ApplyAborted) return;
        // Not applied (the entry could not run, a full disk): it stays on the host and is tried again.
        this.note(
          `could not apply ${describeRequest(request)}: ${(error as Error).message}; trying again in ${RETRY_MS / 1000} s`,
        );
        this.retryLater(request);
      })
      .finally(() => this.known.delete(request.id));
    this.known.set(request.id, job);
  }

  /** The drain sends a request once per connection: one that failed here is taken up again from here. */
  private retryLater(request: RelayRequest): void {
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      if (!this.stopping && this.child !== null) this.receive(request);
    }, RETRY_MS);
    this.retries.add(timer);
  }

  private async handle(request: RelayRequest): Promise<void> {
    const { engine } = this.options;
    const state = engine.load();
    const why = refusal(state, this.hostName, request);
    let reply: RelayReply;
    if (why !== null) {
      this.note(`refused ${describeRequest(request)}: ${why}`);
      reply = refusedReply(why);
    } else {
      for (const text of receiveHandoffs(engine.ws.workDir, state, request)) this.note(text);
      reply = await applyRequest(request, {
        entry: this.entry,
        cwd: engine.ws.root,
        workDir: engine.ws.workDir,
        env: this.options.env ?? process.env,
        signal: this.aborts.signal,
      });
    }
    // Kept before it is acknowledged: a request sent again from now on is answered from this.
    try {
      this.kept.put(request.id, reply);
    } catch (error) {
      // Applied all the same: answered, so that the host removes it (only a lost acknowledgement now repeats it).
      this.note(`could not keep the reply to ${describeRequest(request)}: ${(error as Error).message}`);
    }
    this.acknowledge(request.id, reply);
  }

  /** Sends the answer on the connection open now, if any; without one the host sends the request again later. */
  private acknowledge(id: string, reply: RelayReply): void {
    const child = this.child;
    if (child === null || !child.stdin.writable) return;
    const ack: AckLine = { ack: id, reply };
    child.stdin.write(`${JSON.stringify(ack)}\n`);
  }
}
