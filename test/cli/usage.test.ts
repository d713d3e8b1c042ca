/**
 * The command line itself: help for every command, usage errors (64), and
 * every workspace command outside a workspace (6, with the hint to init).
 */
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { cleanupTempRepos, tempRepoWithPlan, type PlanRepo } from '../helpers/cli.js';

afterAll(cleanupTempRepos);

/** Every command path of the program, e.g. ['graph', 'show'], taken from the program itself. */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => {
    const here = [...prefix, sub.name()];
    return [here, ...commandPaths(sub, here)];
  });
}

const COMMANDS = commandPaths(buildProgram());

/** Commands that read or change the workspace, with arguments that are otherwise valid. */
const WORKSPACE_COMMANDS: string[][] = [
  ['status'],
  ['status', '--json'],
  ['graph'],
  ['graph', 'show'],
  ['graph', 'show', '--format', 'json'],
  ['graph', 'edit'],
  ['stage', 'stage-1-models', 'complete'],
  ['replay'],
];

let repo: PlanRepo;

beforeAll(async () => {
  // A git repository with a plan, never initialised.
  repo = await tempRepoWithPlan();
});

describe('--help', () => {
  it('knows the commands it is testing', () => {
    expect(COMMANDS.map((path) => path.join(' '))).toEqual(
      expect.arrayContaining(['init', 'status', 'graph', 'graph show', 'graph edit', 'stage', 'replay']),
    );
  });

  it('flux --help lists every command and exits 0', async () => {
    const result = await repo.flux(['--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Usage: flux \[options\] \[command\]/);
    // Hidden commands (the supervisor's own `supervise`) are Flux's, not a person's.
    const shown = buildProgram().commands.filter((c) => !(c as unknown as { _hidden: boolean })._hidden);
    for (const name of shown.map((c) => c.name()))
      expect(result.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it.concurrent.each(COMMANDS.map((path) => [path.join(' '), path] as const))(
    'flux %s --help exits 0 with its usage, even without a workspace',
    async (name, path) => {
      const result = await repo.flux([...path, '--help']);
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain(`Usage: flux ${name}`);
    },
  );

  it('flux help <command> is the same as <command> --help', async () => {
    const [help, flag] = await Promise.all([repo.flux(['help', 'stage']), repo.flux(['stage', '--help'])]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toBe(flag.stdout);
  });

  it('--version prints the version', async () => {
    const result = await repo.flux(['--version']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('usage errors exit 64', () => {
  it.concurrent.each([
    [['bogus'], "unknown command 'bogus'"],
    [['stauts'], "unknown command 'stauts'"],
    [['status', '--bogus'], "unknown option '--bogus'"],
    [['init', '--bogus', 'doc/plans/PLAN-auth.md'], "unknown option '--bogus'"],
    [['graph', 'show', '--format'], "option '--format <format>' argument missing"],
    [['graph', 'show', '--machine', 'plan'], "option '--machine <machine>' argument 'plan' is invalid"],
    [['replay', '--stage'], "option '--stage <id>' argument missing"],
    [['init', 'a.md', 'b.md'], 'too many arguments'],
  ])('flux %j', async (args, message) => {
    const result = await repo.flux(args);
    expect(result.exitCode).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`error: ${message}`);
    expect(result.stderr).toContain('--help');
  });

  it('suggests the closest command for a typo', async () => {
    const result = await repo.flux(['stauts']);
    expect(result.stderr).toContain('Did you mean status?');
  });
});

describe('outside an initialised workspace', () => {
  it.concurrent.each(WORKSPACE_COMMANDS.map((args) => [args.join(' '), args] as const))(
    'flux %s exits 6 with the hint to run flux init',
    async (_name, args) => {
      const result = await repo.flux(args, { env: { EDITOR: 'true' } });
      expect(result.exitCode).toBe(6);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`error: no Flux workspace at ${repo.root}/.work`);
      expect(result.stderr).toContain('hint: run `flux init <plan-path>` first');
    },
  );

  it('the statecharts need no workspace', async () => {
    const result = await repo.flux(['graph', 'show', '--machine', 'stage']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^stateDiagram-v2/);
  });

  it('none of them created anything', async () => {
    expect(await repo.git(['status', '--porcelain', '--ignored'])).toBe('');
  });
});
