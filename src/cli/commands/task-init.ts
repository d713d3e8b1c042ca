/**
 * `flux task init`: make `.work/` for ad hoc tasks before the first one, so
 * `[task]` (worktree, branch and session templates, acceptance commands)
 * can be set before `flux task run` uses it. It writes config.toml with
 * every setting at its default and an empty event log; a `.work/config.toml`
 * written by hand is kept as it is, once it reads.
 */
import { loadConfig } from '../../engine/config.js';
import { currentBranch, excludeFluxFiles, findRepository } from '../../engine/runtime/standalone.js';
import { initTaskWorkspace } from '../../engine/workspace-create.js';
import { ExitCode } from '../../errors.js';
import { paint, print } from '../output.js';

export async function run(): Promise<number> {
  // Not in a repository: ExternalError (exit 5) from git.
  const root = await findRepository(process.cwd());
  const { ws, outcome } = initTaskWorkspace(root, await currentBranch(root), (file) => {
    loadConfig(file);
  });
  await excludeFluxFiles(root);
  const next = `Next: edit [task] in ${ws.configPath} (where a task's worktree, branch and tmux session go, and its acceptance commands), then \`flux task run "<description>"\`.`;
  switch (outcome) {
    case 'exists':
      print(`${ws.workDir} is already a Flux workspace: nothing to do.`);
      print(`Its settings: ${ws.configPath}`);
      return ExitCode.ok;
    case 'adopted':
      print(
        `${paint('Initialized', 'green')} ${ws.workDir} around your config.toml (kept as it is), with an empty event log.`,
      );
      break;
    case 'created':
      print(
        `${paint('Initialized', 'green')} ${ws.workDir}: config.toml with every setting at its default, and an empty event log.`,
      );
      break;
  }
  print('');
  print(next);
  return ExitCode.ok;
}
