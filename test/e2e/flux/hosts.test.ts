// One stage on a host with the real `claude`: the "host" is this machine
// reached over a test sshd on 127.0.0.1 (test/helpers/sshd.ts). Claude runs
// there, in the host's worktree, and reaches the scripted model server only
// over a port forwarded to the host (`ssh -N -R`), as a remote box would
// reach a server on this machine. It commits and runs `flux done`, its hooks
// come back through the host's spool, and the branch merges into the base here.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { realpathSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { projectKey } from '../../../src/hosts/layout.js';
import { privateTmuxOn, type PrivateTmux } from '../../helpers/private-tmux.js';
import { freePort, sshdSkipReason, startSshd, type TestSshd } from '../../helpers/sshd.js';
import {
  announceSkip,
  claudeSkipReason,
  commitFiles,
  declareDone,
  fluxE2E,
  planDocument,
  reactive,
  stageMarker,
  type E2E,
} from './harness.js';

const STAGE = 'remote';
const PLAN = planDocument(
  'A stage on a host',
  `    - id: ${STAGE}
      name: "Written on the host"
      dependencies: []
      gate: auto
      acceptance:
        - "test -f src/remote.ts"
      files:
        - "src/*.ts"`,
);

const toml = (value: unknown) => JSON.stringify(value);

/** Resolves once something accepts connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const reason = claudeSkipReason() ?? sshdSkipReason();
announceSkip('flux run with real claude (a stage on a host)', reason);

describe.skipIf(reason !== undefined)('flux run with real claude: a stage on a host', () => {
  let sshd: TestSshd;
  let e2e: E2E;
  let forward: ChildProcess | undefined;
  let hostTmux: PrivateTmux;
  let hostPort: number;
  let hostDir: string;

  beforeAll(async () => {
    sshd = await startSshd();
    hostDir = path.join(sshd.home, 'flux');
    // The port the model server has on the host; nothing else listens there.
    hostPort = await freePort();
    e2e = await fluxE2E({
      plan: PLAN,
      tmuxSocket: `he-${randomBytes(6).toString('hex')}`,
      agentBaseUrl: `http://127.0.0.1:${hostPort}`,
      // Claude runs in the host's worktree of the stage: trusted, as the repository root is.
      trust: (root) => [path.join(hostDir, projectKey(realpathSync(root)), 'worktrees', STAGE)],
      extraToml: [
        `[hosts.box1]`,
        `ssh = ${toml(sshd.target)}`,
        `port = ${sshd.port}`,
        `ssh_options = ${toml(sshd.sshOptions)}`,
        `dir = ${toml(hostDir)}`,
        '',
        `[stages.${STAGE}]`,
        `host = "box1"`,
      ].join('\n'),
      scenario: {
        routes: [
          {
            match: stageMarker(STAGE),
            script: reactive((req, ctx) => {
              if (ctx.n === 1)
                return {
                  text: 'Writing the module on the host.',
                  tools: commitFiles(
                    { 'src/remote.ts': 'export const remote = true;' },
                    'Add the remote module',
                  ),
                };
              return declareDone(req, ctx);
            }),
          },
        ],
      },
    });
    hostTmux = privateTmuxOn(`${e2e.tmux.socket}-box1`);
    // Nothing of this machine's environment reaches the host (the tests' GIT_AUTHOR_* neither):
    // claude's commits there take the identity of the login's git config, in the HOME
    // `[claude.env]` gives it.
    writeFileSync(
      path.join(e2e.home, '.gitconfig'),
      '[user]\n\tname = Flux Host\n\temail = flux-host@example.invalid\n',
    );
    forward = spawn(
      'ssh',
      [
        '-N',
        '-p',
        String(sshd.port),
        ...sshd.sshOptions,
        '-o',
        'BatchMode=yes',
        '-o',
        'ExitOnForwardFailure=yes',
        '-R',
        `${hostPort}:127.0.0.1:${e2e.server.port}`,
        sshd.target,
      ],
      { stdio: 'ignore' },
    );
    await e2e.waitFor(`the forwarded port ${hostPort}`, () => listening(hostPort), 20_000);
  });
  afterAll(async () => {
    await e2e?.cleanup();
    await hostTmux?.killServer();
    forward?.kill('SIGTERM');
    await sshd?.close();
  });

  test("the stage's claude runs on the host, reaches the model through the forwarded port, and merges here", async () => {
    try {
      const run = e2e.startRun();
      expect(await run.finished(170_000), run.output()).toBe(0);
      expect((await e2e.stage(STAGE)).status).toBe('merged');

      const events = e2e.events();
      const started = events.filter((e) => e.type === 'session.started' && e.stage === STAGE);
      expect(started.map((e) => e.host)).toEqual(['box1']);
      // Its hooks came back from the host: the prompt submitted, the stage done.
      expect(events.some((e) => e.type === 'session.working' && e.session === `${STAGE}.s1`)).toBe(true);
      expect(events.filter((e) => e.type === 'stage.completed')).toHaveLength(1);

      // The model server saw the session's requests, and only through the forward.
      const main = e2e.server.requests.filter((r) => r.kind === 'main' && r.route === stageMarker(STAGE));
      expect(main.length).toBeGreaterThanOrEqual(2);

      const tracked = (await e2e.git(['ls-tree', '-r', '--name-only', 'main'])).split('\n');
      expect(tracked).toContain('src/remote.ts');
      expect(e2e.read('src/remote.ts')).toBe('export const remote = true;\n');
      // Committed on the host, by the host's identity.
      expect(await e2e.git(['log', '-1', '--format=%an', 'main^2'])).toBe('Flux Host');
    } catch (error) {
      const panes = await hostTmux.tmux(['list-sessions', '-F', '#{session_name}']);
      const screens: string[] = [];
      for (const name of panes.stdout.split('\n').filter((n) => n !== ''))
        screens.push(
          `--- host pane ${name}`,
          (await hostTmux.tmux(['capture-pane', '-p', '-t', `=${name}:`])).stdout,
        );
      throw new Error(`${(error as Error).message}\n${await e2e.diagnose()}\n${screens.join('\n')}`);
    }
  });
});
