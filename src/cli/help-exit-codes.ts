/**
 * The exit codes each command's `--help` ends with. One table, so every
 * command lists its codes, and a test holds it to docs/exit-codes.md.
 * A meaning of `null` is the code's general meaning (GENERAL below).
 */
import { wrap } from './output.js';

export type CodeMeanings = Readonly<Record<number, string | null>>;

/** What each code means for any command (docs/exit-codes.md). */
export const GENERAL: Readonly<Record<number, string>> = {
  0: 'success, or nothing to do',
  1: 'a bug in Flux (printed with a stack trace)',
  2: 'invalid input: the plan, .work/config.toml or another file',
  3: 'refused in the current state; nothing changed',
  4: 'the event log (.work/events.jsonl) is damaged',
  5: 'git, tmux, the agent or the editor could not run or failed',
  6: 'no workspace here: run `flux init <plan-path>` first',
  7: 'acceptance commands failed',
  8: 'a merge conflict: aborted, worktree and branch kept',
  9: 'a file could not be read or written (permissions, a full disk); nothing was recorded',
  10: 'the events were recorded, but a view under .work/ could not be written',
  11: 'the merged tree failed the merge checks: the base did not move',
  64: 'usage: a wrong command line, an unknown stage or session',
  130: 'interrupted with Ctrl+C',
  141: 'the reader closed the output (`flux replay | head -1`)',
};

const CONFIG = 'invalid .work/config.toml';
const CONFIG_OR_BASE = 'invalid .work/config.toml, or no base branch';

/** By command path (`task run`); the program itself is ''. */
export const EXIT_CODES: Readonly<Record<string, CodeMeanings>> = {
  '': GENERAL,
  demo: {
    0: 'the demo ran to its end',
    3: '--dir is not empty',
    5: 'git or tmux is missing or failed',
    64: null,
    130: 'Ctrl+C: its sessions are ended, the repository stays',
  },
  init: {
    0: 'initialised, or the plan recorded (or unchanged)',
    2: 'the plan is invalid (its file, line, stage and field are named)',
    3: 'the plan changed and --force is missing, or it drops a started stage',
    4: null,
    5: 'not in a git repository, or git failed',
    64: null,
  },
  'plan new': {
    0: 'the plan was written and is valid (the next command is printed)',
    2: 'the plan was written but is invalid (the error is printed)',
    3: 'the plan file, or its tmux session, exists already',
    5: 'not in a git repository, claude (or tmux) missing, or claude ended without writing the plan',
    64: null,
    130: 'Ctrl+C while watching (--tmux): claude goes on in its session',
  },
  'plan check': {
    0: 'valid (warnings, if any, do not stop `flux init`)',
    2: 'the plan is invalid: the same message `flux init` gives',
    5: 'not in a git repository, or git failed',
    64: null,
  },
  run: {
    0: 'nothing more can move without you (the summary says what waits), the dashboard was quit (q), or --detach started the supervisor',
    2: CONFIG_OR_BASE,
    3: 'another `flux run` is watching this workspace',
    4: null,
    5: 'tmux, git or the agent program is missing or failed, or claude cannot work here (no key or login, first run not done, folder not trusted: see `flux doctor`)',
    6: null,
    64: 'usage, or an unknown --stage',
    130: 'Ctrl+C: the sessions keep running in tmux (and the supervisor, if one was started)',
  },
  status: { 0: null, 4: null, 6: null, 64: 'usage, or an unknown stage' },
  ui: {
    0: 'quit (q)',
    2: CONFIG,
    3: 'no terminal, or inside an agent session',
    4: null,
    6: null,
    64: null,
    130: 'Ctrl+C (or SIGTERM, SIGHUP): the terminal is given back as after q',
  },
  stop: { 0: 'stopped, or none was running', 4: null, 6: null, 64: null },
  supervise: {
    0: 'every stage is merged, or it was stopped',
    3: 'another supervisor (or `flux run`) is watching this workspace',
    4: null,
    6: null,
    64: null,
  },
  doctor: {
    0: 'all good (warnings aside)',
    1: 'something to fix: each ✗ names its fix (for doctor, 1 is not a bug)',
    64: null,
  },
  verify: {
    0: 'approved (and merged, or --no-merge), rejected, or quit',
    2: CONFIG_OR_BASE,
    3: 'not completed, or the merge was refused',
    4: null,
    5: 'git, or an acceptance command, could not run',
    6: null,
    8: 'merge conflict: worktree and branch kept',
    11: 'the merged tree failed the checks: the base did not move',
    64: 'usage (no decision without a terminal), or an unknown stage',
  },
  merge: {
    0: 'merged, or already merged',
    2: CONFIG_OR_BASE,
    3: 'refused: not verified, your uncommitted changes where the merge writes, a live git lock, its branch gone, or uncommitted work in the stage worktree',
    4: null,
    5: 'git failed',
    6: null,
    8: 'conflict: nothing merged, worktree and branch kept',
    11: 'the merged tree failed the checks: nothing merged, worktree and branch kept',
    64: 'an unknown stage',
  },
  resume: {
    0: 'started',
    2: CONFIG_OR_BASE,
    3: 'refused: its session is alive, there is nothing to resume, or its budget is spent (flux budget)',
    4: null,
    5: "tmux is missing, the agent could not start, claude cannot work here (see `flux doctor`), or the session's host cannot be reached",
    6: null,
    64: 'an unknown stage',
  },
  attach: {
    0: "tmux's (or ssh's) own once attached: 0 after detaching",
    2: CONFIG,
    3: 'no live session to attach to, or no terminal',
    4: null,
    5: "tmux (or ssh) is missing, or the session's host cannot be reached",
    6: null,
    64: 'an unknown target',
  },
  'attach list': { 0: null, 2: CONFIG, 4: null, 6: null, 64: null },
  'sessions list': { 0: null, 2: CONFIG, 4: null, 6: null, 64: null },
  'sessions kill': {
    0: 'ended',
    2: CONFIG,
    3: 'it has already ended, or the stage has no session',
    4: null,
    6: null,
    64: 'an unknown target',
  },
  'worktree list': { 0: null, 2: CONFIG_OR_BASE, 4: null, 5: 'git failed', 6: null, 64: null },
  'worktree clean': {
    0: 'done, whatever it had to keep (it says why)',
    2: CONFIG_OR_BASE,
    3: 'run from inside an agent session: a person runs it',
    4: null,
    5: 'git failed',
    6: null,
    64: null,
  },
  'task init': {
    0: 'created, kept your config.toml, or already a workspace',
    2: 'the config.toml already there is invalid (the setting is named)',
    3: '.work/ exists but is not a workspace and holds no config.toml',
    5: 'not in a git repository',
    64: null,
  },
  'task run': {
    0: 'started',
    2: 'invalid config (run.agent, --agent, the [task] templates)',
    3: 'the task, its branch, worktree path or tmux session exists already, or the repository has no commit',
    4: null,
    5: 'not in a git repository, tmux missing, or the agent could not start (nothing is left half-made)',
    64: 'no description, an id that cannot be one, or an unknown --agent',
  },
  'task list': { 0: 'listed (no workspace: no tasks)', 2: CONFIG, 4: null, 64: null },
  'task status': { 0: null, 2: CONFIG, 4: null, 5: 'git failed', 6: null, 64: 'no such task' },
  'task cleanup': {
    0: 'merged and cleaned up',
    2: CONFIG,
    3: 'refused or stopped: --abort, a dirty main worktree or a detached HEAD',
    4: null,
    5: 'git or tmux failed',
    6: null,
    8: 'merge conflict: aborted, worktree and branch kept',
    64: 'uncommitted changes, no flag and no terminal to ask; or no such task',
  },
  'skill install': {
    0: 'installed, or already up to date',
    3: 'a different SKILL.md is there (--force replaces it)',
    5: 'not in a git repository',
    64: null,
  },
  'skill show': { 0: null, 64: null },
  'graph show': { 0: null, 4: null, 6: null, 64: null },
  'graph edit': {
    0: 'applied, or the plan is unchanged',
    2: 'the edited plan is invalid: nothing applied',
    3: 'the change drops a stage that has started',
    4: null,
    5: 'the editor failed: nothing applied',
    6: null,
    64: null,
  },
  stage: {
    0: 'forced',
    3: "the stage machine does not allow it from the stage's state",
    4: null,
    6: null,
    64: 'an unknown stage or action',
  },
  replay: { 0: null, 4: 'an event that is damaged or does not replay', 6: null, 64: 'an unknown --stage' },
  budget: {
    0: 'raised (what can start, starts), or the spend shown',
    2: CONFIG,
    3: 'the limit is not above what is spent, the stage is merged, or inside an agent session',
    4: null,
    6: null,
    64: 'usage (a limit that is not a number above 0), or an unknown stage',
  },
  approve: {
    0: 'answered',
    3: 'its session is not waiting for a permission answer',
    4: null,
    6: null,
    64: 'an unknown target',
  },
  deny: {
    0: 'answered',
    3: 'its session is not waiting for a permission answer',
    4: null,
    6: null,
    64: 'an unknown target',
  },
  done: {
    0: 'completed (or already completed, verified or merged)',
    2: CONFIG,
    3: 'not running, no worktree, or uncommitted changes',
    4: null,
    5: 'an acceptance command could not be started',
    6: null,
    7: 'acceptance failed: the stage stays running',
    64: 'it cannot tell which stage: name it',
  },
  handoff: {
    0: 'recorded',
    3: 'not running, or the document is missing or too short',
    4: null,
    6: null,
    64: 'it cannot tell which stage: name it',
  },
  hook: { 0: 'always, whatever happens (problems go to .work/logs/hooks.log)', 64: 'no hook name' },
  'host accept': {
    0: 'the report is on stdout, whatever the commands did',
    3: 'stdin is not a request',
    64: null,
  },
  'host drain': { 0: 'its stdin closed: the connection ended', 64: null },
  'host launch': {
    0: 'the answer is on stdout: each start, done or why not',
    3: 'stdin is not a list of starts',
    64: null,
  },
  'agent sim': {
    0: 'its script ran to its end, or it was ended (a script can exit with its own code)',
    2: 'an invalid script or a missing prompt file',
    64: null,
  },
};

/** The codes of a group of commands (`flux task`): every code any of them exits with. */
export function groupCodes(paths: readonly string[]): CodeMeanings {
  const codes = new Set(paths.flatMap((p) => Object.keys(EXIT_CODES[p] ?? {}).map(Number)));
  return Object.fromEntries([...codes].sort((a, b) => a - b).map((code) => [code, null]));
}

/** The `Exit codes:` section of a help text, one code a line, wrapped to `width`. */
export function exitCodesHelp(codes: CodeMeanings, width: number): string {
  const lines = ['Exit codes:'];
  for (const [code, meaning] of Object.entries(codes).sort(([a], [b]) => Number(a) - Number(b))) {
    const text = meaning ?? GENERAL[Number(code)] ?? '';
    lines.push(...wrap(text, width, { indent: `  ${code.padEnd(5)}`, hangingIndent: ' '.repeat(7) }));
  }
  return lines.join('\n');
}
