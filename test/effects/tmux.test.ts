import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalError, RefusedError } from '../../src/errors.js';
import { createTmux, type Tmux } from '../../src/effects/tmux.js';
import { privateTmux } from '../helpers/private-tmux.js';
import { tempDir } from '../helpers/temp-repo.js';
import { waitFor } from '../helpers/wait.js';

const server = privateTmux();
let tmux: Tmux;
let dir: string;
let counter = 0;
/** A fresh session name per test, so tests never see each other's sessions. */
const sessionName = (): string => `flux-t${++counter}`;

beforeAll(async () => {
  tmux = createTmux({ socket: server.socket });
  dir = await tempDir('flux-tmux-');
});

afterAll(async () => {
  await server.killServer();
  await rm(dir, { recursive: true, force: true });
});

const sleeper = ['sh', '-c', 'sleep 30', 'sleeper'];

describe('tmux on a private socket', () => {
  it('is installed, at a version Flux supports', async () => {
    expect(await tmux.isInstalled()).toMatch(/^tmux /);
  });

  it('says how to install tmux when it is missing', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = dir;
    try {
      const error = await tmux.isInstalled().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ExternalError);
      expect((error as ExternalError).message).toContain('tmux is not installed');
      expect((error as ExternalError).hint).toContain('apt-get install tmux');
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it('runs a command with awkward arguments exactly, in the given directory, with env', async () => {
    const name = sessionName();
    const cwd = path.join(dir, 'with space #1');
    await mkdir(cwd);
    const out = path.join(dir, 'args.out');
    const args = [
      'two words',
      "it's",
      'say "hi"',
      '$HOME',
      '`id`',
      'a\nb',
      '',
      'ends;',
      '#{session_name}',
      '-t',
    ];
    const script = 'printf "%s\\0" "$PWD" "$FLUX_VAR" "$@" > "$OUT"; sleep 30';
    await tmux.newSession({
      name,
      cwd,
      command: ['sh', '-c', script, 'script', ...args],
      env: { OUT: out, FLUX_VAR: 'value; with $dollar' },
    });
    const written = await waitFor(async () => (await readFile(out, 'utf8').catch(() => '')) || undefined, {
      what: 'the command output',
    });
    expect(written.split('\0').slice(0, -1)).toEqual([cwd, 'value; with $dollar', ...args]);
  });

  it('runs a lone program without a shell getting in the way', async () => {
    const name = sessionName();
    const program = path.join(dir, 'my program $x');
    const out = path.join(dir, 'lone.out');
    await rm(out, { force: true });
    await writeFile(program, `#!/bin/sh\necho ran > "${out}"\nsleep 30\n`, { mode: 0o755 });
    await tmux.newSession({ name, cwd: dir, command: [program] });
    expect(await waitFor(async () => (await readFile(out, 'utf8').catch(() => '')) || undefined)).toBe(
      'ran\n',
    );
  });

  it("ignores the runner's own TMUX, which names another server", async () => {
    const name = sessionName();
    const out = path.join(dir, 'tmux-var.out');
    const saved = process.env.TMUX;
    process.env.TMUX = '/tmp/not-a-tmux-server,1,0';
    try {
      await tmux.newSession({ name, cwd: dir, command: ['sh', '-c', 'echo "$TMUX" > "$0"; sleep 30', out] });
    } finally {
      if (saved === undefined) delete process.env.TMUX;
      else process.env.TMUX = saved;
    }
    const written = await waitFor(async () => (await readFile(out, 'utf8').catch(() => '')) || undefined);
    expect(written).toContain(`/${server.socket},`);
    expect(await tmux.hasSession(name)).toBe(true);
  });

  it('refuses a second session of the same name, and a name tmux would rewrite', async () => {
    const name = sessionName();
    await tmux.newSession({ name, cwd: dir, command: sleeper });
    await expect(tmux.newSession({ name, cwd: dir, command: sleeper })).rejects.toBeInstanceOf(RefusedError);
    await expect(tmux.newSession({ name: 'flux.bad', cwd: dir, command: sleeper })).rejects.toBeInstanceOf(
      RefusedError,
    );
  });

  it('fails clearly for a directory that does not exist', async () => {
    const error = await tmux
      .newSession({ name: sessionName(), cwd: path.join(dir, 'missing'), command: sleeper })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as Error).message).toContain('no such directory');
  });

  it('matches session names exactly', async () => {
    await tmux.newSession({ name: 'flux-ab', cwd: dir, command: sleeper });
    expect(await tmux.hasSession('flux-ab')).toBe(true);
    expect(await tmux.hasSession('flux-a')).toBe(false);
    expect(await tmux.killSession('flux-a')).toBe(false);
    expect(await tmux.hasSession('flux-ab')).toBe(true);
  });

  it('lists sessions by prefix with their pane pid and state', async () => {
    const name = `flux-list-${counter++}`;
    await tmux.newSession({ name, cwd: dir, command: sleeper });
    const [session, ...others] = await tmux.listSessions('flux-list-');
    expect(others).toEqual([]);
    expect(session).toMatchObject({ name, attached: 0, paneDead: false });
    expect(session?.panePid).toBe(await tmux.panePid(name));
    expect(Math.abs((session?.created.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('captures the last lines of a pane', async () => {
    const name = sessionName();
    await tmux.newSession({ name, cwd: dir, command: ['sh', '-c', 'seq 1 300; sleep 30'] });
    const text = await waitFor(async () => {
      const captured = await tmux.capturePane(name, 5);
      return captured.endsWith('300') ? captured : undefined;
    });
    expect(text.split('\n')).toEqual(['296', '297', '298', '299', '300']);
  });

  it('sends keys, literally or by name, and reports the foreground command', async () => {
    const name = sessionName();
    await tmux.newSession({ name, cwd: dir, command: ['cat'] });
    await waitFor(async () => ((await tmux.paneCurrentCommand(name)) === 'cat' ? true : undefined));
    await tmux.sendKeys(name, ['echo $HOME; "quoted";'], { literal: true });
    await tmux.sendKeys(name, ['Enter']);
    const text = await waitFor(async () => {
      const captured = await tmux.capturePane(name, 10);
      return captured.split('\n').length >= 2 ? captured : undefined;
    });
    // cat echoes the line back: the terminal shows it once as typed and once as printed.
    expect(text.split('\n')).toEqual(['echo $HOME; "quoted";', 'echo $HOME; "quoted";']);
    await tmux.sendKeys(name, ['C-c']);
    await waitFor(async () => ((await tmux.hasSession(name)) ? undefined : true), { what: 'cat to exit' });
  });

  it('kills a session, and the session ends with its command', async () => {
    const name = sessionName();
    await tmux.newSession({ name, cwd: dir, command: sleeper });
    expect(await tmux.killSession(name)).toBe(true);
    expect(await tmux.hasSession(name)).toBe(false);
    const quick = sessionName();
    await tmux.newSession({ name: quick, cwd: dir, command: ['true', 'ignored'] });
    await waitFor(async () => ((await tmux.hasSession(quick)) ? undefined : true), {
      what: 'the session to end',
    });
  });

  it('keeps a dead pane with remainOnExit', async () => {
    const name = sessionName();
    await tmux.newSession({ name, cwd: dir, command: ['sh', '-c', 'echo bye'], remainOnExit: true });
    const session = await waitFor(async () => {
      const found = (await tmux.listSessions(name)).find((s) => s.name === name);
      return found?.paneDead ? found : undefined;
    });
    expect(session.paneDead).toBe(true);
    // tmux may mark the pane dead before it has read the last output from the pty (seen under load).
    const text = await waitFor(async () => {
      const captured = await tmux.capturePane(name, 60);
      return captured.includes('bye') ? captured : undefined;
    });
    expect(text).toContain('bye');
    expect((await tmux.listSessions(name)).find((s) => s.name === name)?.paneDead).toBe(true);
  });

  it('splits a window into a new pane and kills it', async () => {
    const name = sessionName();
    await tmux.newSession({ name, cwd: dir, command: sleeper });
    const pane = await tmux.splitWindow({
      target: name,
      cwd: dir,
      command: ['sh', '-c', 'echo in-pane; sleep 30'],
    });
    expect(pane).toMatch(/^%\d+$/);
    await waitFor(async () => ((await tmux.capturePane(pane, 5)).includes('in-pane') ? true : undefined));
    expect((await server.tmux(['list-panes', '-t', `=${name}:`])).stdout.split('\n')).toHaveLength(2);
    expect(await tmux.killPane(pane)).toBe(true);
    expect(await tmux.killPane(pane)).toBe(false);
    expect((await server.tmux(['list-panes', '-t', `=${name}:`])).stdout.split('\n')).toHaveLength(1);
  });

  it('lists sessions and panes in a locale that is not UTF-8 (tmux would write tabs as `_` there)', async () => {
    const name = sessionName();
    await tmux.newSession({ name, cwd: dir, command: sleeper });
    const saved = { LANG: process.env.LANG, LC_ALL: process.env.LC_ALL, LC_CTYPE: process.env.LC_CTYPE };
    delete process.env.LANG;
    delete process.env.LC_CTYPE;
    process.env.LC_ALL = 'C';
    try {
      const sessions = await tmux.listSessions(name);
      expect(sessions.map((s) => s.name)).toEqual([name]);
      expect(sessions[0]?.panePid).toBeGreaterThan(1);
      const pane = (await tmux.listPanes()).find((p) => p.session === name);
      expect(pane).toMatchObject({ session: name, dead: false });
      expect(pane?.id).toMatch(/^%\d+$/);
      expect(pane?.pid).toBe(sessions[0]?.panePid);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await tmux.killSession(name);
    }
  });

  it('lists nothing, without failing, when its server is not running', async () => {
    const idle = createTmux({ socket: `${server.socket}-none` });
    expect(await idle.listSessions()).toEqual([]);
    expect(await idle.hasSession('flux-a')).toBe(false);
  });
});
