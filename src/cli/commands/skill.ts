/**
 * `flux skill install [--project | --user] [--force]`: write the Claude Code
 * skill that teaches Claude to drive Flux, to `.claude/skills/flux/SKILL.md`
 * in the repository (`--project`, the default) or in the user's Claude
 * configuration (`--user`: `$CLAUDE_CONFIG_DIR`, else `~/.claude`).
 * A different file already there is kept unless `--force`.
 * `flux skill show`: print the skill.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SKILL_MD, SKILL_NAME } from '../../agents/skill.js';
import { findRepository } from '../../engine/runtime/standalone.js';
import { ExitCode, RefusedError } from '../../errors.js';
import { paint, print } from '../output.js';

export interface SkillInstallOptions {
  project?: boolean;
  user?: boolean;
  force?: boolean;
}

/** The user's Claude Code configuration directory. */
export function claudeConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.CLAUDE_CONFIG_DIR;
  if (configured !== undefined && configured !== '') return path.resolve(configured);
  return path.join(env.HOME ?? os.homedir(), '.claude');
}

export function skillFile(dir: string): string {
  return path.join(dir, 'skills', SKILL_NAME, 'SKILL.md');
}

export async function install(options: SkillInstallOptions): Promise<number> {
  const user = options.user === true;
  // The repository's main worktree: not in a repository is ExternalError (exit 5).
  const dir = user ? claudeConfigDir() : path.join(await findRepository(process.cwd()), '.claude');
  const file = skillFile(dir);
  const where = user ? 'for your user (every project)' : 'for this repository';
  if (existsSync(file)) {
    const current = readFileSync(file, 'utf8');
    if (current === SKILL_MD) {
      print(`The Flux skill is already installed ${where}, up to date: ${file}`);
      return ExitCode.ok;
    }
    if (options.force !== true) {
      throw new RefusedError(
        `${file} exists and differs from the Flux skill this flux would write`,
        'keep it, or replace it with `flux skill install --force` (`flux skill show` prints the new one)',
      );
    }
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, SKILL_MD);
  renameSync(temporary, file);
  print(`${paint('Installed', 'green')} the Flux skill ${where}: ${file}`);
  print(
    'Claude Code picks it up in new sessions: ask Claude to run a task in parallel, list tasks, or clean one up.',
  );
  if (!user) print(paint('Commit .claude/skills/flux/SKILL.md to share it with the repository.', 'dim'));
  return ExitCode.ok;
}

export function show(): number {
  process.stdout.write(SKILL_MD);
  return ExitCode.ok;
}
