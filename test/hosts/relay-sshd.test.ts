/**
 * The relay end to end over a real OpenSSH server on 127.0.0.1
 * (test/helpers/sshd.ts): the "host" is this machine and user, its `.work`
 * a temporary folder. An agent's calls there (the built hook.js and main.js
 * with FLUX_HOST set) are spooled, drained over ssh by the drainer, applied
 * to this workspace's one log, and answered; the link is cut (sshd stopped,
 * its connections dropped) while calls are made and while they are being
 * applied, and every call is still applied exactly once; a host's request
 * for a session that is not its own is refused and never applied.
 */
import { randomUUID } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/log/codec.js';
import { Engine } from '../../src/engine/engine.js';
import { HostDrain } from '../../src/engine/runtime/host-drain/drainer.js';
import { KeptReplies } from '../../src/engine/runtime/host-drain/kept-replies.js';
import { workspaceAt } from '../../src/engine/workspace.js';
import { hostPaths, type HostPaths } from '../../src/hosts/layout.js';
import type { RelayRequest } from '../../src/hosts/protocol.js';
import { replyFile, spoolRequest } from '../../src/hosts/spool.js';
import { fluxWorkspace, planDocument, type FluxWorkspace } from '../helpers/flux-run.js';
import { sshdSkipReason, startSshd, type TestSshd } from '../helpers/sshd.js';
import { waitFor } from '../helpers/wait.js';

const AGENT = randomUUID();
const stage = (id: string) => `    - id: ${id}
      name: "${id}"
      dependencies: []
      acceptance:
        - "true"
      files:
        - "src/${id}/*"`;
const plan = planDocument('Hosts', [stage('models'), stage('api'), stage('web')].join('\n'));

interface CallResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

describe.skipIf(sshdSkipReason() !== undefined)('the relay over ssh', () => {
  let sshd: TestSshd;
  let ws: FluxWorkspace;
  let paths: HostPaths;
  let drain: HostDrain;
  const reachability: Array<{ reachable: boolean; why: string }> = [];
  const notes: string[] = [];

  const events = () => ws.events();
  const count = (type: string, session: string) =>
    events().filter((e) => e.type === type && e.session === session).length;
  const spooled = () => (existsSync(paths.spool) ? readdirSync(paths.spool) : []);

  /** A call an agent on box1 makes: the built entry, with the environment Flux gives it there. */
  function onHost(
    argv: string[],
    options: { input?: string; session?: string; stage?: string } = {},
  ): Promise<CallResult> {
    const session = options.session ?? 'models.s1';
    return execa(process.execPath, argv, {
      cwd: paths.dir,
      env: {
        ...ws.env,
        FLUX_HOST: 'box1',
        FLUX_WORK_DIR: paths.work,
        FLUX_SESSION: session,
        FLUX_STAGE: options.stage ?? session.split('.')[0]!,
        FLUX_HANDOFF_THRESHOLD: '75',
        FLUX_STOP_REMINDERS: '1000',
        FLUX_COMMAND: JSON.stringify([process.execPath, ws.bin]),
      },
      extendEnv: false,
      input: options.input ?? '',
      reject: false,
      stripFinalNewline: false,
    }).then((r) => ({ exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr }));
  }
  const hookJs = () => path.join(path.dirname(ws.bin), 'hook.js');
  const hookOnHost = (name: string, fields: Record<string, unknown>, session = 'models.s1') =>
    onHost([hookJs(), name], {
      session,
      input: JSON.stringify({ session_id: AGENT, hook_event_name: name, cwd: paths.dir, ...fields }),
    });
  const stop = (session = 'models.s1') => hookOnHost('Stop', { stop_hook_active: false }, session);

  beforeAll(async () => {
    sshd = await startSshd();
    ws = await fluxWorkspace({ plan });
    paths = hostPaths(path.join(sshd.home, 'flux'), ws.root, 'test');
    mkdirSync(paths.work, { recursive: true });
    // The host as the config names it: what the local `flux done` asks about the stage's worktree there.
    appendFileSync(
      path.join(ws.root, '.work', 'config.toml'),
      `\n[hosts.box1]\nssh = ${JSON.stringify(sshd.target)}\nport = ${sshd.port}\nssh_options = ${JSON.stringify(sshd.sshOptions)}\ndir = ${JSON.stringify(paths.dir)}\n`,
    );
    const engine = new Engine(workspaceAt(ws.root));
    const started = (session: string, stageId: string, host?: string) => [
      { type: 'stage.started' as const, stage: stageId, session },
      {
        type: 'session.started' as const,
        session,
        stage: stageId,
        agent: 'claude',
        tmux: '',
        agent_session_id: AGENT,
        ...(host === undefined ? {} : { host }),
      },
    ];
    engine.commit(() => ({
      events: [
        ...started('models.s1', 'models', 'box1'),
        ...started('api.s1', 'api', 'box1'),
        ...started('web.s1', 'web'),
      ],
      effects: [],
    }));
    drain = new HostDrain({
      engine,
      hostName: 'box1',
      target: { ssh: sshd.target, port: sshd.port, ssh_options: sshd.sshOptions, check_host_key: true },
      hostFlux: [process.execPath, ws.bin],
      paths,
      onReachability: (_host, reachable, why) => reachability.push({ reachable, why }),
      onNote: (_host, text) => notes.push(text),
      entry: { node: process.execPath, main: ws.bin, hook: path.join(path.dirname(ws.bin), 'hook.js') },
      env: ws.env,
    });
    drain.start();
    await waitFor(() => (reachability.at(-1)?.reachable === true ? true : undefined), {
      what: 'the drain to run on the host',
      timeoutMs: 20_000,
    });
  }, 90_000);

  afterAll(async () => {
    await drain?.stop();
    await sshd?.close();
    await ws?.cleanup();
  });

  it('a Stop on the host: its events are in the local log, and the agent gets the answer', async () => {
    // The transcript is the host's file: its tokens are read there (85% of the window).
    const transcript = path.join(paths.dir, 'transcript.jsonl');
    writeFileSync(
      transcript,
      `${JSON.stringify({ type: 'assistant', message: { usage: { input_tokens: 170_000 } } })}\n`,
    );
    const result = await hookOnHost('Stop', { stop_hook_active: false, transcript_path: transcript });
    expect(result.exitCode).toBe(0);
    const answer = JSON.parse(result.stdout) as { decision: string; reason: string };
    expect(answer.decision).toBe('block');
    expect(answer.reason).toContain('Your context is 85% full');
    expect(events().slice(-2)).toMatchObject([
      { type: 'session.context', session: 'models.s1', percent: 85 },
      { type: 'session.handing_off', session: 'models.s1', trigger: 'threshold' },
    ]);
    expect(reachability[0]).toMatchObject({
      reachable: true,
      why: expect.stringContaining('the drain runs there'),
    });
    // The answer is written before the request is removed there: wait for the removal.
    await waitFor(() => (spooled().length === 0 ? true : undefined), { what: 'the spool emptied' });
  });

  it('flux handoff and flux status relayed: the document written there is here, the answers are the local ones', async () => {
    const text =
      '# Handoff\n\nSummary: the API. Done: routes. Remaining: src/api/x.rs:10. Decisions: none.\n';
    mkdirSync(path.join(paths.work, 'handoffs'), { recursive: true });
    writeFileSync(path.join(paths.work, 'handoffs', 'api-handoff-001.md'), text);
    const handoff = await onHost([ws.bin, 'handoff'], { session: 'api.s1' });
    expect(handoff).toMatchObject({ exitCode: 0, stderr: '' });
    expect(handoff.stdout).toContain('Handoff recorded: .work/handoffs/api-handoff-001.md');
    expect(ws.read('.work/handoffs/api-handoff-001.md')).toBe(text);
    expect(events().at(-1)).toMatchObject({ type: 'stage.handoff_requested', stage: 'api' });

    const relayed = await onHost([ws.bin, 'status', '--json'], { session: 'api.s1' });
    const local = await ws.flux(['status', '--json']);
    expect(relayed).toMatchObject({ exitCode: 0, stderr: '' });
    // The same view of the same log (the minutes elapsed aside).
    const view = (stdout: string): unknown =>
      JSON.parse(stdout, (key, value: unknown) => (key === 'minutes' ? undefined : value));
    expect(view(relayed.stdout)).toEqual(view(local.stdout));

    // The local command's refusal, with its code, is the host's answer.
    const done = await onHost([ws.bin, 'done'], { session: 'models.s1' });
    expect(done.exitCode).toBe(3);
    expect(done.stderr).toMatch(/^error: models has no worktree at /);
  });

  it("a person's command on a host is refused there (exit 3) and never sent", async () => {
    const before = events().length;
    const approve = await onHost([ws.bin, 'approve', 'models']);
    expect(approve.exitCode).toBe(3);
    expect(approve.stderr).toContain(
      'error: flux approve runs on the machine that runs the plan, not on a host',
    );
    expect(spooled()).toEqual([]);
    expect(events()).toHaveLength(before);
  });

  it("a request for a session that is not the host's, or of another stage, is refused and not applied", async () => {
    const before = events().length;
    // web.s1 runs on this machine, not on box1: the hook says nothing, the log has nothing.
    const foreign = await stop('web.s1');
    expect(foreign).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    // models.s1 is the models stage's, not api's.
    const wrongStage = await onHost([ws.bin, 'status'], { session: 'models.s1', stage: 'api' });
    expect(wrongStage).toEqual({
      exitCode: 3,
      stdout: '',
      stderr: "refused: session models.s1 is stage models's, not api's\n",
    });
    expect(events()).toHaveLength(before);
    expect(notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^refused Stop of web\.s1 \(.*\): session web\.s1 runs on this machine, not on box1$/,
        ),
        expect.stringMatching(/^refused flux status of models\.s1 .*not api's$/),
      ]),
    );
    expect(ws.read('.work/logs/relay.log')).toContain('box1 refused Stop of web.s1');
    // The answer is written before the request is removed there: wait for the removal.
    await waitFor(() => (spooled().length === 0 ? true : undefined), { what: 'the spool emptied' });
  });

  it('a request applied before (its reply kept here) is answered from that, not applied again', async () => {
    const before = events().length;
    const request: RelayRequest = {
      id: randomUUID(),
      at: new Date().toISOString(),
      session: 'models.s1',
      stage: 'models',
      env: { FLUX_STOP_REMINDERS: '1000' },
      kind: 'hook',
      hook: 'Stop',
      stdin: JSON.stringify({ session_id: AGENT, hook_event_name: 'Stop', stop_hook_active: false }),
      tokens: null,
    };
    new KeptReplies(path.join(ws.root, '.work'), 'box1').put(request.id, {
      stdout: 'the answer given the first time\n',
      stderr: '',
      exitCode: 0,
    });
    spoolRequest(paths.work, request);
    const reply = await waitFor(
      () =>
        existsSync(replyFile(paths.work, request.id))
          ? readFileSync(replyFile(paths.work, request.id), 'utf8')
          : undefined,
      { what: 'the reply on the host' },
    );
    expect(JSON.parse(reply)).toMatchObject({ stdout: 'the answer given the first time\n' });
    await waitFor(() => (spooled().length === 0 ? true : undefined), { what: 'the request acknowledged' });
    expect(events()).toHaveLength(before);
    // Taken, as the call waiting for it takes it.
    rmSync(replyFile(paths.work, request.id));
  });

  it('calls made while the link is down are applied once each when it is back, and answered', async () => {
    const reminded = count('session.reminded', 'models.s1');
    await sshd.stop();
    await waitFor(() => (reachability.at(-1)?.reachable === false ? true : undefined), {
      what: 'the drainer to see the link gone',
      timeoutMs: 20_000,
    });
    const calls = Array.from({ length: 5 }, () => stop());
    await waitFor(() => (spooled().length === 5 ? true : undefined), { what: 'five requests in the spool' });
    expect(count('session.reminded', 'models.s1')).toBe(reminded);
    await sshd.start();
    const results = await Promise.all(calls);
    for (const result of results) expect(JSON.parse(result.stdout)).toMatchObject({ decision: 'block' });
    expect(count('session.reminded', 'models.s1')).toBe(reminded + 5);
    // The answer is written before the request is removed there: wait for the removal.
    await waitFor(() => (spooled().length === 0 ? true : undefined), { what: 'the spool emptied' });
    expect(readdirSync(paths.replies)).toEqual([]);
    expect(reachability.at(-1)).toMatchObject({ reachable: true });
  });

  it('a link cut while calls are being applied loses none and applies none twice', async () => {
    const reminded = count('session.reminded', 'models.s1');
    const calls = Array.from({ length: 12 }, () => stop());
    await waitFor(() => (count('session.reminded', 'models.s1') > reminded ? true : undefined), {
      what: 'the first call applied',
      timeoutMs: 20_000,
    });
    await sshd.stop();
    await sshd.start();
    const results = await Promise.all(calls);
    await waitFor(() => (spooled().length === 0 ? true : undefined), { what: 'every request acknowledged' });
    expect(count('session.reminded', 'models.s1')).toBe(reminded + 12);
    for (const result of results) expect(result.exitCode).toBe(0);
    expect(results.filter((r) => r.stdout !== '').length).toBe(12);
  });
});
