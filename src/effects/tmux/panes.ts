/** Panes: listing them, reading and typing into them, and the panes of ad hoc tasks (split, respawned, killed). */
import { toolFailure } from '../exec.js';
import type { TmuxClient } from './client.js';
import { PANE_LABEL_OPTION, paneTarget } from './names.js';
import { PANE_FORMAT, parsePanes } from './parse.js';
import { commandArgs, dirArg, envArgs } from './quote.js';
import type { RespawnPaneOptions, SplitWindowOptions, TmuxPaneInfo } from './types.js';

export function tmuxPanes(client: TmuxClient) {
  const { run, output } = client;
  async function listPanes(): Promise<TmuxPaneInfo[]> {
    const result = await run(['list-panes', '-a', '-F', PANE_FORMAT]);
    if (result.exitCode !== 0) {
      if (/no server running|error connecting/.test(result.stderr)) return [];
      throw toolFailure('tmux', ['list-panes', '-a'], result);
    }
    return parsePanes(result.stdout);
  }

  async function capturePane(target: string, lines: number): Promise<string> {
    const count = Math.max(1, Math.floor(lines));
    // -J joins wrapped lines; history plus the screen covers `count` lines even when the screen is mostly blank.
    const text = await output(['capture-pane', '-p', '-J', '-t', paneTarget(target), '-S', `-${count}`]);
    const all = text.split('\n').map((line) => line.trimEnd());
    while (all.length > 0 && all.at(-1) === '') all.pop();
    return all.slice(-count).join('\n');
  }

  async function sendKeys(
    target: string,
    keys: readonly string[],
    opts: { literal?: boolean } = {},
  ): Promise<void> {
    await output(['send-keys', ...(opts.literal ? ['-l'] : []), '-t', paneTarget(target), '--', ...keys]);
  }

  async function paneFormat(target: string, format: string): Promise<string> {
    return output(['display-message', '-p', '-t', paneTarget(target), format]);
  }

  async function splitWindow(split: SplitWindowOptions): Promise<string> {
    await client.checkDirectory(split.cwd);
    const targetArgs = split.target === undefined ? [] : ['-t', paneTarget(split.target)];
    return output([
      'split-window',
      '-d',
      '-P',
      '-F',
      '#{pane_id}',
      ...targetArgs,
      '-c',
      dirArg(split.cwd),
      ...envArgs(split.env),
      '--',
      ...commandArgs(split.command),
    ]);
  }

  async function killPane(paneId: string): Promise<boolean> {
    const result = await run(['kill-pane', '-t', paneId]);
    return result.exitCode === 0;
  }

  async function respawnPane(respawn: RespawnPaneOptions): Promise<void> {
    await client.checkDirectory(respawn.cwd);
    const target = paneTarget(respawn.target);
    const command = [
      'respawn-pane',
      '-k',
      '-t',
      target,
      '-c',
      dirArg(respawn.cwd),
      ...envArgs(respawn.env),
      '--',
      ...commandArgs(respawn.command),
    ];
    // Chained, so the option is set before a quick command can exit.
    const remain = ['set-option', '-p', '-t', target, 'remain-on-exit', respawn.remainOnExit ? 'on' : 'off'];
    const label =
      respawn.label === undefined
        ? []
        : [['set-option', '-p', '-t', target, PANE_LABEL_OPTION, respawn.label]];
    const result = await run(command, remain, ...label);
    if (result.exitCode !== 0) throw toolFailure('tmux', command, result);
  }

  return {
    listPanes,
    capturePane,
    sendKeys,
    paneCurrentCommand: (target: string) => paneFormat(target, '#{pane_current_command}'),
    panePid: async (target: string) => Number(await paneFormat(target, '#{pane_pid}')),
    splitWindow,
    killPane,
    respawnPane,
  };
}

export type TmuxPanes = ReturnType<typeof tmuxPanes>;
