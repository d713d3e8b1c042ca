// `flux plan new --tmux` with the real claude, offline: claude starts in plan
// mode in a tmux session on a private server, told the Flux plan format; the
// scripted model writes doc/plans/PLAN-<slug>.md with its Write tool, and the
// person (here: keys sent to the pane) accepts the edit, which plan mode asks
// about; Flux sees the file appear, checks it as `flux plan check` does, and
// prints the next command. The [claude] section of .work/config.toml (made
// with `flux task init`) points it at the cached binary, the model server and
// an isolated HOME whose .claude.json trusts the repository.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  say,
  startModelServer,
  systemText,
  write,
  type ModelServer,
  type ScriptStep,
} from '../model-server.js';
import { execFlux, fluxRunEnv, snapshotFlux } from '../../helpers/flux-run.js';
import { privateTmux, type PrivateTmux } from '../../helpers/private-tmux.js';
import { tempRepo, type TempRepo } from '../../helpers/temp-repo.js';
import { waitFor } from '../../helpers/wait.js';
import {
  announceSkip,
  answersTool,
  claudeSkipReason,
  configureClaude,
  isolatedClaudeHome,
  KEEPALIVE,
  planDocument,
  reactive,
  toolResult,
} from './harness.js';

const reason = claudeSkipReason();
announceSkip('flux plan new', reason);

const GOAL = 'Add a greeting module';
const STAGES = `    - id: greet-core
      name: "Greeting core"
      description: "A greet(name) function"
      dependencies: []
      acceptance: ["test -f src/greet.js"]
      files: ["src/greet.js"]
    - id: greet-docs
      name: "Greeting docs"
      description: "Document greet()"
      dependencies: [greet-core]
      acceptance: ["test -f docs/greet.md"]
      files: ["docs/greet.md"]`;
const VALID = planDocument('Greeting', STAGES);
/** `greet-cor` is no stage: `flux init` would refuse it. */
const INVALID = planDocument(
  'Greeting',
  STAGES.replace('dependencies: [greet-core]', 'dependencies: [greet-cor]'),
);

/** The runner's variables that would change what flux, tmux or claude do. */
const DROPPED = /^(VISUAL|EDITOR|TMUX|TMUX_PANE|FORCE_COLOR|CLICOLOR_FORCE|FLUX_.*|ANTHROPIC_.*|CLAUDE.*)$/;

describe.skipIf(reason !== undefined)('flux plan new with the real claude', () => {
  let repo: TempRepo;
  let server: ModelServer;
  let tmux: PrivateTmux;
  let home: ReturnType<typeof isolatedClaudeHome>;
  let bin: string;
  let env: Record<string, string>;
  const systems: string[] = [];
  /** The first user message of each request (claude's reminders ride on it). */
  const firstMessages: string[] = [];

  /** The model: write each of `versions` in turn (one per tool answer), then say it is done. */
  const writes = (file: () => string, versions: string[]): ScriptStep[] =>
    reactive((req) => {
      systems.push(systemText(req));
      firstMessages.push(JSON.stringify(req.messages[0] ?? ''));
      const done = req.messages.filter(
        (m) => m.role === 'user' && answersTool({ ...req, messages: [m] }),
      ).length;
      if (answersTool(req) && toolResult(req)?.isError === true)
        return say(`The write failed: ${toolResult(req)?.text}`);
      const next = versions[done];
      return next === undefined ? say('The plan is written.') : { tools: [write(file(), next)] };
    }, 12);

  /**
   * Presses Enter at each edit question in the pane (option 1, "Yes", is
   * preselected) until `finished`; before the n-th (from 0), waits for
   * `ready(n)`.
   */
  async function acceptEdits(
    session: string,
    finished: () => boolean,
    ready: (n: number) => boolean,
  ): Promise<string[]> {
    const screens: string[] = [];
    const screen = async () => (await tmux.tmux(['capture-pane', '-p', '-t', `=${session}:`])).stdout;
    while (!finished()) {
      const now = await screen();
      if (/Do you want to (create|make this edit to|overwrite) PLAN-/.test(now) && ready(screens.length)) {
        screens.push(now);
        await tmux.tmux(['send-keys', '-t', `=${session}:`, 'Enter']);
        await waitFor(async () => ((await screen()).includes('Do you want to') ? undefined : true), {
          timeoutMs: 20_000,
          what: 'the edit question to close',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return screens;
  }

  /** `flux plan new --tmux` in the background, its output read as it comes. */
  async function planNew(
    slug: string,
    ready: (n: number, output: string) => boolean = () => true,
  ): Promise<{ exitCode: number; output: string; screens: string[] }> {
    const child = spawn(process.execPath, [bin, 'plan', 'new', '--tmux', '--slug', slug, GOAL], {
      cwd: repo.root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    let finished = false;
    const exit = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1))).finally(
      () => (finished = true),
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const screens = await acceptEdits(
      `flux-plan-${slug}`,
      () => finished,
      (n) => ready(n, output),
    );
    const exitCode = await exit;
    clearTimeout(timer);
    return { exitCode, output, screens };
  }

  beforeAll(async () => {
    repo = await tempRepo('flux-plan-new-');
    await repo.commit('code', { 'src/index.js': 'export {};\n' });
    const file = (slug: string) => () => path.join(repo.root, `doc/plans/PLAN-${slug}.md`);
    server = await startModelServer({
      routes: [
        { match: 'Save it as doc/plans/PLAN-greeting.md', script: writes(file('greeting'), [VALID]) },
        { match: 'Save it as doc/plans/PLAN-fixed.md', script: writes(file('fixed'), [INVALID, VALID]) },
      ],
      fallback: [say('ok')],
    });
    tmux = privateTmux();
    // A session of its own keeps the private server up (see harness.ts).
    expect((await tmux.tmux(['new-session', '-d', '-s', KEEPALIVE, 'sleep', '86400'])).exitCode).toBe(0);
    home = isolatedClaudeHome(repo.root);
    bin = snapshotFlux();
    env = fluxRunEnv({ FLUX_TMUX_SOCKET: tmux.socket }, DROPPED);
    expect((await execFlux(bin, env, repo.root, ['task', 'init'])).exitCode).toBe(0);
    const config = path.join(repo.root, '.work', 'config.toml');
    writeFileSync(
      config,
      configureClaude(readFileSync(config, 'utf8'), {
        serverUrl: server.url,
        home: home.home,
        configDir: home.configDir,
      }),
    );
  });
  afterAll(async () => {
    await tmux?.killServer();
    await server?.close();
    // Agents killed with the server still write their config on the way out: retry while they do.
    const gone = { recursive: true, force: true, maxRetries: 20, retryDelay: 200 };
    if (repo !== undefined) await rm(repo.root, gone);
    if (home !== undefined) await rm(home.dir, gone);
    if (bin !== undefined) await rm(path.dirname(path.dirname(bin)), gone);
  });

  it('claude, in plan mode and told the format, writes the plan; Flux checks it and prints `flux init`', async () => {
    const { exitCode, output, screens } = await planNew('greeting');
    expect(exitCode, output).toBe(0);
    // Plan mode: claude told the model so, and asked the person before the edit.
    expect(firstMessages.some((m) => m.includes('Plan mode is active'))).toBe(true);
    expect(screens).toHaveLength(1);
    expect(screens[0]).toContain('Do you want to create PLAN-greeting.md?');
    expect(output).toContain('Started claude in plan mode in the tmux session flux-plan-greeting');
    expect(output).toContain('Valid: doc/plans/PLAN-greeting.md: Greeting, 2 stages.');
    expect(output).toMatch(/Next: `flux init doc\/plans\/PLAN-greeting\.md`\n$/);
    expect(readFileSync(path.join(repo.root, 'doc/plans/PLAN-greeting.md'), 'utf8')).toBe(VALID);
    // What claude was told: the format, where to write, and to check it.
    const told = systems.find((s) => s.includes('You are writing a Flux plan')) ?? '';
    expect(told).toContain('<!-- FLUX METADATA -->');
    expect(told).toContain('`flux plan check doc/plans/PLAN-greeting.md`');
    const check = await execFlux(bin, env, repo.root, ['plan', 'check', 'doc/plans/PLAN-greeting.md']);
    expect(check.exitCode).toBe(0);
  });

  it('a plan that does not validate is said, and watched until claude fixes it', async () => {
    // The fix is accepted only once Flux has said what is wrong with the first version.
    const { exitCode, output, screens } = await planNew(
      'fixed',
      (n, out) => n === 0 || out.includes('does not validate yet'),
    );
    expect(exitCode, output).toBe(0);
    expect(screens.length).toBe(2);
    expect(output).toContain("stage 'greet-docs': field 'dependencies': unknown stage `greet-cor`");
    expect(output).toContain('does not validate yet; claude may still fix it');
    expect(output).toContain('Valid: doc/plans/PLAN-fixed.md: Greeting, 2 stages.');
    expect(existsSync(path.join(repo.root, 'doc/plans/PLAN-fixed.md'))).toBe(true);
  });
});
