/**
 * Every command's `--help` fits the terminal (80 columns when the width is
 * unknown, or COLUMNS) and ends with the exit codes the command can return,
 * the same ones docs/exit-codes.md lists for it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { REPO_ROOT, runFlux } from '../helpers/cli.js';

/** Every command path of the program, e.g. ['graph', 'show'] (groups too), and the program itself. */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => {
    const here = [...prefix, sub.name()];
    return [here, ...commandPaths(sub, here)];
  });
}
const PROGRAM = buildProgram();
const PATHS: string[][] = [[], ...commandPaths(PROGRAM)];

function commandAt(names: readonly string[]): Command {
  let command: Command = PROGRAM;
  for (const name of names) command = command.commands.find((c) => c.name() === name)!;
  return command;
}

/** docs/exit-codes.md's table: command → the codes it can exit with. */
function documentedCodes(): Map<string, number[]> {
  const text = readFileSync(path.join(REPO_ROOT, 'docs', 'exit-codes.md'), 'utf8');
  const lines = text.split('\n').filter((line) => line.startsWith('|'));
  const header = lines.find((line) => line.startsWith('| command'))!;
  const codes = header
    .split('|')
    .slice(2, -1)
    .map((cell) => Number(cell.trim()));
  const table = new Map<string, number[]>();
  for (const line of lines.slice(lines.indexOf(header) + 2)) {
    const cells = line.split('|').slice(1, -1);
    const marked = codes.filter((_, i) => cells[i + 1]!.includes('✓'));
    for (const name of cells[0]!.matchAll(/`([^`]+)`/g)) table.set(name[1]!, marked);
  }
  return table;
}
const DOCUMENTED = documentedCodes();

/** The codes listed under `Exit codes:`. */
function helpCodes(help: string): number[] {
  const section = help.slice(help.indexOf('\nExit codes:\n'));
  return [...section.matchAll(/^ {2}(\d+) +\S/gm)].map((match) => Number(match[1]));
}

/** A command's documented codes; for a group (`flux task`), every code of its commands. */
function expectedCodes(names: readonly string[]): number[] {
  const own = DOCUMENTED.get(names.join(' '));
  if (own !== undefined) return own;
  const codes = commandAt(names).commands.flatMap((sub) => expectedCodes([...names, sub.name()]));
  return [...new Set(codes)].sort((a, b) => a - b);
}

const tooWide = (text: string, width: number): string[] =>
  text.split('\n').filter((line) => [...line].length > width);

describe('--help', () => {
  it('covers every command the docs list, and the docs cover every command', () => {
    const names = PATHS.map((p) => p.join(' '));
    for (const documented of DOCUMENTED.keys()) expect(names).toContain(documented);
    for (const p of PATHS.filter((p) => commandAt(p).commands.length === 0))
      expect([...DOCUMENTED.keys()]).toContain(p.join(' '));
  });

  it.concurrent.each(PATHS.map((p) => [p.join(' ') || '(flux)', p] as const))(
    'flux %s --help fits 80 columns and lists its exit codes',
    async (_name, names) => {
      const result = await runFlux([...names, '--help'], { cwd: REPO_ROOT, env: { COLUMNS: undefined } });
      expect(result.exitCode).toBe(0);
      expect(tooWide(result.stdout, 80)).toEqual([]);
      expect(result.stdout).toContain('\nExit codes:\n');
      const listed = helpCodes(result.stdout);
      if (names.length === 0) {
        // The program lists every code there is, 1 (a bug) too.
        expect(listed).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 64, 130, 141]);
        return;
      }
      expect(listed).toEqual(expectedCodes(names));
    },
  );

  it.concurrent.each([['task', 'cleanup'], ['merge'], ['run'], ['verify']])(
    'flux %s --help wraps to the width COLUMNS gives',
    async (...names) => {
      const result = await runFlux([...names, '--help'], { cwd: REPO_ROOT, env: { COLUMNS: '60' } });
      expect(result.exitCode).toBe(0);
      expect(tooWide(result.stdout, 60)).toEqual([]);
      expect(result.stdout).toContain('Exit codes:');
    },
  );
});
