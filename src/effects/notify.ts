/**
 * Telling a person (docs/notify.md): a message on their own tmux client, a
 * desktop notification, and a command of theirs. Each channel is tried on
 * its own; a failure is written to `.work/logs/notify.log` and never stops
 * Flux. (The bell is rung by the dashboard, which sees the same events.)
 */
import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export interface NoticeText {
  kind: string;
  stage?: string;
  title: string;
  message: string;
}

export interface NotifySettings {
  tmux: boolean;
  desktop: boolean;
  command: string[];
}

const TIMEOUT_MS = 10_000;

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: TIMEOUT_MS, encoding: 'utf8' }, (error, _out, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`${file} failed: ${stderr.trim() || error.message}`));
    });
  });
}

/** `{title}`, `{message}`, `{stage}`, `{kind}` replaced in each argument; never a shell. */
export function fillTemplate(argv: readonly string[], notice: NoticeText): string[] {
  const values: Record<string, string> = {
    title: notice.title,
    message: notice.message,
    stage: notice.stage ?? '',
    kind: notice.kind,
  };
  return argv.map((arg) =>
    arg.replace(/\{(title|message|stage|kind)\}/g, (_, name: string) => values[name]!),
  );
}

/**
 * The person's own tmux server: the one whose client started Flux ($TMUX).
 * Without it Flux does not guess: it never writes to a tmux server it was not started from.
 */
async function tmuxMessage(notice: NoticeText, env: NodeJS.ProcessEnv): Promise<void> {
  const socket = env.TMUX?.split(',')[0];
  if (socket === undefined || socket === '') return;
  const clients = await new Promise<string[]>((resolve) => {
    execFile(
      'tmux',
      ['-S', socket, 'list-clients', '-F', '#{client_name}'],
      { timeout: TIMEOUT_MS },
      (e, out) =>
        resolve(
          e === null
            ? String(out)
                .split('\n')
                .filter((c) => c !== '')
            : [],
        ),
    );
  });
  for (const client of clients)
    await run('tmux', [
      '-S',
      socket,
      'display-message',
      '-c',
      client,
      '-d',
      '5000',
      `Flux: ${notice.title} — ${notice.message}`,
    ]);
}

async function desktop(notice: NoticeText): Promise<void> {
  if (process.platform === 'darwin') {
    const script = `display notification ${JSON.stringify(notice.message)} with title ${JSON.stringify(`Flux: ${notice.title}`)}`;
    await run('osascript', ['-e', script]);
  } else {
    await run('notify-send', [`Flux: ${notice.title}`, notice.message]);
  }
}

export async function sendNotice(
  notice: NoticeText,
  settings: NotifySettings,
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const channels: Array<[string, () => Promise<void>]> = [];
  if (settings.tmux) channels.push(['tmux', () => tmuxMessage(notice, env)]);
  if (settings.desktop) channels.push(['desktop', () => desktop(notice)]);
  if (settings.command.length > 0)
    channels.push([
      'command',
      () => {
        const [file, ...args] = fillTemplate(settings.command, notice);
        return run(file!, args);
      },
    ]);
  await Promise.all(
    channels.map(async ([name, send]) => {
      try {
        await send();
      } catch (error) {
        try {
          mkdirSync(path.dirname(logFile), { recursive: true });
          appendFileSync(logFile, `${new Date().toISOString()} ${name}: ${(error as Error).message}\n`);
        } catch {
          // Nowhere left to say it: a notifier never stops Flux.
        }
      }
    }),
  );
}
