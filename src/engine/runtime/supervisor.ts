/**
 * Starting and stopping the supervisor, for the commands: `flux run`,
 * `flux stop`, and the human commands that must never strand work
 * (`carryOn`). The supervisor itself is `flux supervise` (the monitor with
 * `untilMerged`); what everyone knows of it is in `../supervisor.ts`.
 */
import path from 'node:path';
import { OVERRIDE_ENV } from '../../agents/protocol.js';
import { endProcess, logTail, startInBackground } from '../../effects/background.js';
import { ExternalError } from '../../errors.js';
import type { Runtime } from '../runtime.js';
import { machinesFor } from '../hosts.js';
import { decideStarts } from '../scheduler.js';
import { readSupervisor, SUPERVISOR_LOG, supervisorHasWork, type SupervisorRecord } from '../supervisor.js';

/** Set to `off` (FLUX_SUPERVISOR), Flux never starts a background process: scripts drive each step. */
export function supervisorAllowed(): boolean {
  return process.env[OVERRIDE_ENV.supervisor] !== 'off';
}

/** The running supervisor, or a new one (waits until it holds the monitor lock and has written its record). */
export async function ensureSupervisor(rt: Runtime): Promise<SupervisorRecord & { started: boolean }> {
  const ws = rt.engine.ws;
  const running = readSupervisor(ws);
  if (running.running) return { ...running, started: false };
  const log = path.join(ws.workDir, SUPERVISOR_LOG);
  const child = startInBackground([...rt.flux, 'supervise'], { cwd: ws.root, log });
  let exited = false;
  void child.exited.then(() => (exited = true));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const now = readSupervisor(ws);
    // Ours, or one another command started at the same moment (ours then exits: one at a time).
    if (now.running && (now.pid === child.pid || exited)) return { ...now, started: now.pid === child.pid };
    if (exited && !now.running) {
      throw new ExternalError(
        `the supervisor did not start:\n${logTail(log)}`,
        `see ${path.relative(ws.root, log)}; \`flux run\` in the foreground (FLUX_SUPERVISOR=off) shows the same`,
      );
    }
    if (Date.now() > deadline)
      throw new ExternalError(`the supervisor (pid ${child.pid}) did not report in 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Ends the supervisor, if one runs; null when none did. */
export async function stopSupervisor(rt: Runtime): Promise<SupervisorRecord | null> {
  const running = readSupervisor(rt.engine.ws);
  if (!running.running) return null;
  await endProcess(running.pid);
  return running;
}

export type CarryOn =
  | { kind: 'running'; pid: number }
  | { kind: 'started'; pid: number; launched: string[] }
  | { kind: 'nothing-to-do' }
  | { kind: 'not-started'; why: 'no-start' | 'off' };

/**
 * After a person's decision: what it lets start starts now, in this process
 * (the fastest way from an approval to the dependent's session), and a
 * supervisor is started, if none runs, to carry the rest.
 */
export async function carryOn(rt: Runtime, options: { noStart?: boolean } = {}): Promise<CarryOn> {
  const state = rt.engine.load();
  if (!supervisorHasWork(state)) return { kind: 'nothing-to-do' };
  const running = readSupervisor(rt.engine.ws);
  if (running.running) return { kind: 'running', pid: running.pid };
  if (options.noStart === true) return { kind: 'not-started', why: 'no-start' };
  if (!supervisorAllowed()) return { kind: 'not-started', why: 'off' };
  rt.checkAgent();
  const { events } = await rt.commitAndRun((current) =>
    decideStarts(current, {
      maxParallel: rt.config.run.max_parallel,
      agent: rt.config.run.agent,
      sessionPrefix: rt.config.tmux.session_prefix,
      budget: rt.config.budget,
      ...machinesFor(rt.config),
    }),
  );
  const launched = events.filter((e) => e.type === 'stage.started').map((e) => ('stage' in e ? e.stage : ''));
  const supervisor = await ensureSupervisor(rt);
  return { kind: 'started', pid: supervisor.pid, launched };
}
