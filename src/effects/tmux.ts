/**
 * Tmux effects: one detached session per agent, and the panes of ad hoc
 * tasks. One object per server, made of the parts in `tmux/`: `client` (how
 * tmux is called, on which server), `quote` (getting arguments to a shell
 * and to tmux exactly), `names` (session names, pane ids, labels), `parse`
 * (what tmux prints), `sessions` and `panes`.
 * Tests run on a private server (`-L <socket>`), never the user's.
 */
import { tmuxClient } from './tmux/client.js';
import { tmuxPanes } from './tmux/panes.js';
import { tmuxSessions } from './tmux/sessions.js';
import type { Tmux } from './tmux/types.js';

export { socketPath } from './tmux/client.js';
export { isPaneId, PANE_LABEL_OPTION } from './tmux/names.js';
export { parseVersion } from './tmux/parse.js';
export { escapeTmuxArg, shellJoin, shellQuote } from './tmux/quote.js';
export type {
  NewSessionOptions,
  RespawnPaneOptions,
  SplitWindowOptions,
  Tmux,
  TmuxPaneInfo,
  TmuxSessionInfo,
} from './tmux/types.js';

export type { TmuxRunner } from './tmux/client.js';

/** The tmux of this machine, or (with `runner` and `remote`) a host's, reached over ssh. */
export function createTmux(options: Parameters<typeof tmuxClient>[0] = {}): Tmux {
  const client = tmuxClient(options);
  const panes = tmuxPanes(client);
  return {
    socket: client.socket,
    isInstalled: client.isInstalled,
    killServer: client.killServer,
    ...tmuxSessions(client, panes),
    ...panes,
  };
}
