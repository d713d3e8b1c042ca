/**
 * `flux plan new "<goal>" [--tmux] [--slug <slug>]`: start claude in plan
 * mode in the repository, told the Flux plan format and asked to write
 * `doc/plans/PLAN-<slug>.md`. In this terminal by default (the plan is
 * checked when claude exits); with `--tmux` in the tmux session
 * `flux-plan-<slug>` on Flux's server, watched: the plan is checked as soon
 * as it appears and settles (and again when claude exits). A valid plan
 * ends with the command to run next, `flux init <plan>`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { planNewPrompt, planNewSystemPrompt } from '../../agents/plan-prompt.js';
import { chooseTmuxSocket, loadConfig } from '../../engine/config.js';
import { MISSING_CLAUDE_HINT } from '../../engine/doctor/claude.js';
import { DEFAULT_CONFIG } from '../../engine/runtime/doctor-facts.js';
import {
  fileStamp,
  runInTerminal,
  startInTmux,
  tmuxSessionExists,
  type ClaudeRun,
} from '../../engine/runtime/plan-session.js';
import { locateProgram } from '../../engine/runtime/program.js';
import { findRepository } from '../../engine/runtime/standalone.js';
import { taskSlug } from '../../engine/task-names.js';
import { workspaceAt } from '../../engine/workspace.js';
import { ExitCode, ExternalError, PlanError, RefusedError, UsageError } from '../../errors.js';
import { PLAN_SESSION_PREFIX, PLANS_DIR } from '../../paths.js';
import { shellJoin } from '../../engine/runtime.js';
import { checkPlanFile, reportChecked } from '../plan-check.js';
import { paint, print, printError } from '../output.js';

interface PlanNewOptions {
  tmux?: boolean;
  slug?: string;
}

const POLL_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The claude to start: `[claude]` of `.work/config.toml` when there is one (command, model, settings, env). */
function claudeRun(root: string, goal: string, planPath: string): ClaudeRun {
  const ws = workspaceAt(root);
  const config = existsSync(ws.configPath) ? loadConfig(ws.configPath) : DEFAULT_CONFIG;
  const program = locateProgram(config.claude.command);
  if (program === null)
    throw new ExternalError(
      `the claude program '${config.claude.command}' is not installed (or not on PATH)`,
      MISSING_CLAUDE_HINT,
    );
  const settings = config.claude.settings;
  const argv = [
    program,
    '--permission-mode',
    'plan',
    '--append-system-prompt',
    planNewSystemPrompt(planPath),
    // Checking the plan needs no question to the person. (Writing it does: plan mode asks before every edit.)
    '--allowedTools',
    'Bash(flux plan check:*)',
    ...(config.claude.model === '' ? [] : ['--model', config.claude.model]),
    ...(Object.keys(settings).length === 0 ? [] : ['--settings', JSON.stringify(settings)]),
    // The prompt after `--`: --allowedTools would swallow it.
    '--',
    planNewPrompt(goal, planPath),
  ];
  return { argv, cwd: root, env: config.claude.env };
}

function socketFor(root: string): string | undefined {
  const ws = workspaceAt(root);
  return chooseTmuxSocket(() => (existsSync(ws.configPath) ? loadConfig(ws.configPath) : DEFAULT_CONFIG));
}

type Outcome = { kind: 'valid' } | { kind: 'invalid'; error: PlanError } | { kind: 'missing' };

async function check(planPath: string, root: string): Promise<Outcome> {
  if (fileStamp(path.join(root, planPath)) === null) return { kind: 'missing' };
  try {
    reportChecked(await checkPlanFile(planPath, root, root));
    return { kind: 'valid' };
  } catch (error) {
    if (error instanceof PlanError) return { kind: 'invalid', error };
    throw error;
  }
}

/** What the last check means for the exit code, once claude is gone. */
function finish(outcome: Outcome, planPath: string): number {
  if (outcome.kind === 'valid') return ExitCode.ok;
  if (outcome.kind === 'invalid') {
    printError(outcome.error);
    print(`Fix ${planPath}, then \`flux plan check ${planPath}\`.`);
    return outcome.error.exitCode;
  }
  throw new ExternalError(
    `claude ended without writing ${planPath}`,
    `run \`flux plan new\` again (accept the plan when claude presents it, so it can write the file), or write ${planPath} yourself and \`flux plan check ${planPath}\``,
  );
}

/**
 * Watches for the plan while the tmux session lives: checked once it exists
 * and has not changed for one poll; done at the first valid check. An
 * invalid one is said once per version, and claude may still fix it.
 */
async function watch(
  planPath: string,
  root: string,
  alive: () => Promise<boolean>,
  stopped: () => boolean,
): Promise<Outcome | 'stopped'> {
  const file = path.join(root, planPath);
  let seen: string | null = null;
  let checked: string | null = null;
  let last: Outcome = { kind: 'missing' };
  for (;;) {
    if (stopped()) return 'stopped';
    const stamp = fileStamp(file);
    if (stamp !== null && stamp === seen && stamp !== checked) {
      checked = stamp;
      last = await check(planPath, root);
      if (last.kind === 'valid') return last;
      if (last.kind === 'invalid') {
        printError(last.error);
        print(`(${planPath} does not validate yet; claude may still fix it. Watching…)`);
      }
    }
    seen = stamp;
    if (!(await alive())) {
      const final = fileStamp(file);
      if (final !== null && final !== checked) return check(planPath, root);
      return last;
    }
    await sleep(POLL_MS);
  }
}

export async function run(words: string | string[], options: PlanNewOptions): Promise<number> {
  const goal = (Array.isArray(words) ? words.join(' ') : words).trim();
  if (goal === '') throw new UsageError('the plan needs a goal', 'e.g. flux plan new "Add OAuth login"');
  const slug = options.slug ?? taskSlug(goal);
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(slug))
    throw new UsageError(
      `'${slug}' cannot name a plan`,
      'use --slug with lower-case letters, digits, - and _',
    );
  const root = await findRepository(process.cwd());
  const planPath = `${PLANS_DIR}/PLAN-${slug}.md`;
  if (existsSync(path.join(root, planPath)))
    throw new RefusedError(
      `${planPath} exists already`,
      `check it with \`flux plan check ${planPath}\`, or give the new plan another name with --slug`,
    );
  const claude = claudeRun(root, goal, planPath);

  if (options.tmux !== true) {
    print(`Starting claude in plan mode to write ${planPath}. When it exits, Flux checks the plan.`);
    const status = await runInTerminal(claude);
    print('');
    const outcome = await check(planPath, root);
    if (outcome.kind === 'missing' && status !== 0)
      throw new ExternalError(
        `claude exited with status ${status} without writing ${planPath}`,
        'run `flux plan new` again',
      );
    return finish(outcome, planPath);
  }

  const name = `${PLAN_SESSION_PREFIX}${slug}`;
  const socket = socketFor(root);
  if (await tmuxSessionExists(name, socket))
    throw new RefusedError(
      `a tmux session '${name}' exists already`,
      `attach to it (tmux${socket === undefined ? '' : ` -L ${socket}`} attach -t '=${name}'), or end it first`,
    );
  const session = await startInTmux({ ...claude, name, socket });
  print(
    `${paint('Started', 'green')} claude in plan mode in the tmux session ${name}, to write ${planPath}.`,
  );
  print(`Attach to it to talk to claude and accept its plan: ${shellJoin(session.attach)}`);
  print(`Watching for ${planPath} (Ctrl+C stops watching; the session stays)…`);
  let interrupted = false;
  const onInterrupt = () => (interrupted = true);
  process.once('SIGINT', onInterrupt);
  try {
    const outcome = await watch(planPath, root, session.alive, () => interrupted);
    if (outcome === 'stopped') {
      print(
        `Stopped watching; claude goes on in ${name}. Check the plan later with \`flux plan check ${planPath}\`.`,
      );
      return ExitCode.interrupted;
    }
    return finish(outcome, planPath);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
