/**
 * Making `.work/`: built in a staging directory beside it and renamed into
 * place, so a failure part-way leaves nothing behind, and a `.work` that is
 * not Flux's is never overwritten.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RefusedError } from '../errors.js';
import { defaultConfigToml } from './config.js';
import { logPathIn } from '../log/paths.js';
import { CONFIG_FILE_NAME, WORK_DIR_NAME } from '../paths.js';
import { WORK_SUBDIRS, workspaceAt, type Workspace } from './workspace.js';

/**
 * Creates the workspace with `configToml`; `fill` writes its first contents
 * (e.g. the first events) into the staged workspace before it is moved into place.
 */
export function createWorkspace<T>(root: string, configToml: string, fill: (staged: Workspace) => T): T {
  const finalDir = path.join(root, WORK_DIR_NAME);
  if (existsSync(finalDir)) {
    throw new RefusedError(
      `${finalDir} exists but holds no event log`,
      'move it aside (it is not a Flux workspace, or its events.jsonl was deleted) and run the command again',
    );
  }
  const staging = path.join(root, `${WORK_DIR_NAME}.new-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const dir of WORK_SUBDIRS) mkdirSync(path.join(staging, dir), { recursive: true });
    writeFileSync(path.join(staging, CONFIG_FILE_NAME), configToml);
    const staged: Workspace = {
      ...workspaceAt(root),
      workDir: staging,
      logPath: logPathIn(staging),
      configPath: path.join(staging, CONFIG_FILE_NAME),
    };
    const result = fill(staged);
    renameSync(staging, finalDir);
    return result;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * `.work/` for a repository that has none (a first `flux task run`): the
 * layout and config.toml of `flux init`, and an empty log, without a plan.
 * `created` says whether this call made it.
 */
export function ensureTaskWorkspace(
  root: string,
  baseBranch: string | null,
): { ws: Workspace; created: boolean } {
  const ws = workspaceAt(root);
  if (existsSync(ws.logPath)) return { ws, created: false };
  try {
    createWorkspace(root, defaultConfigToml('', baseBranch), (staged) => writeFileSync(staged.logPath, ''));
  } catch (error) {
    // Another `flux task run` made it first: use theirs.
    if (existsSync(ws.logPath)) return { ws, created: false };
    throw error;
  }
  return { ws, created: true };
}
