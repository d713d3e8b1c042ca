/** Reading what tmux prints: its version, and the session and pane lists (one tab-separated line each). */
import { PANE_LABEL_OPTION } from './names.js';
import type { TmuxPaneInfo, TmuxSessionInfo } from './types.js';

export function parseVersion(output: string): { major: number; minor: number } | null {
  const match = /(\d+)\.(\d+)/.exec(output);
  return match === null ? null : { major: Number(match[1]), minor: Number(match[2]) };
}

/** The `-F` format whose lines `parseSessions` reads. */
export const SESSION_FORMAT = [
  '#{session_name}',
  '#{session_created}',
  '#{session_attached}',
  '#{pane_pid}',
  '#{pane_dead}',
].join('\t');

export function parseSessions(output: string): TmuxSessionInfo[] {
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [name = '', created = '0', attached = '0', pid = '', dead = ''] = line.split('\t');
      return {
        name,
        created: new Date(Number(created) * 1000),
        attached: Number(attached),
        panePid: pid === '' ? null : Number(pid),
        paneDead: dead === '1',
      };
    });
}

/** The `-F` format whose lines `parsePanes` reads. */
export const PANE_FORMAT = [
  '#{pane_id}',
  '#{pane_index}',
  '#{window_id}',
  '#{window_index}',
  '#{session_name}',
  '#{pane_pid}',
  '#{pane_dead}',
  `#{${PANE_LABEL_OPTION}}`,
].join('\t');

export function parsePanes(output: string): TmuxPaneInfo[] {
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [
        id = '',
        index = '0',
        window = '',
        windowIndex = '0',
        session = '',
        pid = '',
        dead = '',
        label = '',
      ] = line.split('\t');
      return {
        id,
        index: Number(index),
        window,
        windowIndex: Number(windowIndex),
        session,
        pid: pid === '' ? null : Number(pid),
        dead: dead === '1',
        label,
      };
    });
}
