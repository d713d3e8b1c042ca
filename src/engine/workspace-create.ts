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
  if (existsSync(path.join(finalDir, CONFIG_FILE_NAME))) {
    throw new RefusedError(
      `${finalDir} holds a config.toml but no event log (a config written before the first task?)`,
      'run `flux task init`: it makes .work/ a workspace around your config.toml, which it keeps as it is; then `flux task run` (or `flux init <plan-path>`)',
    );
  }
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

/**
 * `flux task init`: `.work/` with config.toml and an empty log, so `[task]`
 * can be set before the first `flux task run`. A `.work/config.toml`
 * written by hand is kept as it is (it must read: `validate` throws a
 * ConfigError naming the setting) and the rest of the layout made around
 * it, the log last: the log is what makes `.work/` a workspace.
 */
export function initTaskWorkspace(
  root: string,
  baseBranch: string | null,
  validate: (configPath: string) => void,
): { ws: Workspace; outcome: 'created' | 'adopted' | 'exists' } {
  const ws = workspaceAt(root);
  if (existsSync(ws.logPath)) return { ws, outcome: 'exists' };
  if (!existsSync(ws.configPath)) {
    const { created } = ensureTaskWorkspace(root, baseBranch);
    return { ws, outcome: created ? 'created' : 'exists' };
  }
  validate(ws.configPath);
  for (const dir of WORK_SUBDIRS) mkdirSync(path.join(ws.workDir, dir), { recursive: true });
  try {
    // `wx`: another `flux task init` that got here first made it; theirs stands.
    writeFileSync(ws.logPath, '', { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { ws, outcome: 'exists' };
    throw error;
  }
  return { ws, outcome: 'adopted' };
}
