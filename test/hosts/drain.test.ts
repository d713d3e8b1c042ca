/**
 * `flux host drain` in this process, on a temporary work folder, its stdin
 * and stdout replaced by streams: what waits goes out first in file-name
 * order, then `ready`, then each new request as it appears, never one twice
 * on the same connection; an acknowledgement writes the reply and only then
 * removes the request; a file that is not a request is set aside; it ends
 * when its stdin does.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runDrain } from '../../src/hosts/drain.js';
import type { DrainLine, RelayRequest } from '../../src/hosts/protocol.js';
import { replyFile, repliesDir, requestFileName, spoolDir, spoolRequest } from '../../src/hosts/spool.js';
import { waitFor } from '../helpers/wait.js';

const made: string[] = [];
const running: Array<() => void> = [];
afterEach(() => {
  for (const stop of running.splice(0)) stop();
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function workDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-drain-'));
  made.push(dir);
  return dir;
}

let clock = Date.parse('2026-01-02T03:04:05.000Z');
function request(): RelayRequest {
  clock += 1000;
  return {
    id: randomUUID(),
    at: new Date(clock).toISOString(),
    session: 'api.s1',
    stage: 'api',
    env: {},
    kind: 'hook',
    hook: 'Stop',
    stdin: '{}',
    tokens: null,
  };
}

function drain(work: string) {
  const input = new PassThrough();
  const output = new PassThrough();
  const lines: DrainLine[] = [];
  const notes: string[] = [];
  let buffered = '';
  output.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const part of parts) lines.push(JSON.parse(part) as DrainLine);
  });
  const done = runDrain(work, { input, output, note: (text) => notes.push(text) });
  running.push(() => input.end());
  const sentIds = () => lines.flatMap((line) => ('request' in line ? [line.request.id] : []));
  return { input, lines, notes, done, sentIds };
}

const ack = (id: string, stdout = `answer to ${id}\n`) =>
  `${JSON.stringify({ ack: id, reply: { stdout, stderr: '', exitCode: 0 } })}\n`;

describe('flux host drain', () => {
  it('sends what waits in file-name order, then ready with the count', async () => {
    const work = workDir();
    const requests = [request(), request(), request()];
    // Written newest first: the order sent is the calls' order, not the writes'.
    for (const req of [...requests].reverse()) spoolRequest(work, req);
    const d = drain(work);
    await waitFor(() => (d.lines.length >= 4 ? true : undefined), { what: 'three requests and ready' });
    expect(d.lines).toEqual([...requests.map((req) => ({ request: req })), { ready: { pending: 3 } }]);
  });

  it('sends a new request as it appears, and each only once on the connection', async () => {
    const work = workDir();
    const d = drain(work);
    await waitFor(() => (d.lines.length === 1 ? true : undefined), { what: 'ready' });
    expect(d.lines[0]).toEqual({ ready: { pending: 0 } });
    const later = request();
    const started = Date.now();
    spoolRequest(work, later);
    await waitFor(() => (d.sentIds().includes(later.id) ? true : undefined), { what: 'the new request' });
    expect(Date.now() - started).toBeLessThan(1000);
    // The scan that finds the next one lists the first again: it is still sent once.
    const next = request();
    spoolRequest(work, next);
    await waitFor(() => (d.sentIds().includes(next.id) ? true : undefined), { what: 'the next request' });
    expect(d.sentIds()).toEqual([later.id, next.id]);
  });

  it('an acknowledgement writes the reply, then removes the request', async () => {
    const work = workDir();
    const req = request();
    const file = spoolRequest(work, req);
    const d = drain(work);
    await waitFor(() => (d.sentIds().length === 1 ? true : undefined), { what: 'the request' });
    d.input.write(ack(req.id, 'the answer\n'));
    await waitFor(() => (fs.existsSync(file) ? undefined : true), { what: 'the request removed' });
    expect(JSON.parse(fs.readFileSync(replyFile(work, req.id), 'utf8'))).toEqual({
      stdout: 'the answer\n',
      stderr: '',
      exitCode: 0,
    });
    expect(fs.readdirSync(spoolDir(work))).toEqual([]);
  });

  it('a request not acknowledged is sent again on the next connection; one acknowledged is not', async () => {
    const work = workDir();
    const [first, second] = [request(), request()];
    spoolRequest(work, first);
    spoolRequest(work, second);
    const one = drain(work);
    await waitFor(() => (one.sentIds().length === 2 ? true : undefined), { what: 'both requests' });
    one.input.write(ack(first.id));
    await waitFor(() => (fs.existsSync(replyFile(work, first.id)) ? true : undefined), { what: 'the reply' });
    one.input.end();
    expect(await one.done).toBe(0);
    const two = drain(work);
    await waitFor(() => (two.lines.some((l) => 'ready' in l) ? true : undefined), { what: 'ready' });
    expect(two.sentIds()).toEqual([second.id]);
    expect(two.lines.at(-1)).toEqual({ ready: { pending: 1 } });
  });

  it('an acknowledgement of a request sent on an earlier connection is still taken', async () => {
    const work = workDir();
    const req = request();
    const file = spoolRequest(work, req);
    const d = drain(work);
    await waitFor(() => (d.sentIds().length === 1 ? true : undefined), { what: 'the request' });
    // As if this connection had not sent it (the drainer answers from the reply it kept).
    d.input.write(ack(randomUUID()));
    await waitFor(() => (d.notes.length === 1 ? true : undefined), { what: 'the note' });
    expect(d.notes[0]).toMatch(/an acknowledgement for .*, which is not in the spool: ignored/);
    d.input.write(ack(req.id));
    await waitFor(() => (fs.existsSync(file) ? undefined : true), { what: 'the request removed' });
  });

  it('a file that is not a request is set aside as .bad, said, and never sent', async () => {
    const work = workDir();
    fs.mkdirSync(spoolDir(work), { recursive: true });
    const id = randomUUID();
    const name = requestFileName(clock, id);
    fs.writeFileSync(path.join(spoolDir(work), name), JSON.stringify({ id, kind: 'mystery' }));
    const d = drain(work);
    await waitFor(() => (d.lines.length === 1 ? true : undefined), { what: 'ready' });
    expect(d.lines).toEqual([{ ready: { pending: 0 } }]);
    expect(fs.readdirSync(spoolDir(work))).toEqual([`${name}.bad`]);
    expect(d.notes).toEqual([expect.stringContaining(`${name} is not a request (at: not a time)`)]);
  });

  it('a line that is not an acknowledgement is said, and changes nothing', async () => {
    const work = workDir();
    const req = request();
    const file = spoolRequest(work, req);
    const d = drain(work);
    await waitFor(() => (d.sentIds().length === 1 ? true : undefined), { what: 'the request' });
    d.input.write('{"ack":"../../etc/passwd","reply":{"stdout":"","stderr":"","exitCode":0}}\n');
    await waitFor(() => (d.notes.length === 1 ? true : undefined), { what: 'the note' });
    expect(d.notes[0]).toContain('not an acknowledgement (ack: not a request id)');
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.readdirSync(repliesDir(work))).toEqual([]);
  });

  it('removes replies older than 10 minutes (a call that gave up), keeps newer ones', async () => {
    const work = workDir();
    fs.mkdirSync(repliesDir(work), { recursive: true });
    const [stale, fresh] = [replyFile(work, randomUUID()), replyFile(work, randomUUID())];
    fs.writeFileSync(stale, '{}');
    fs.writeFileSync(fresh, '{}');
    const elevenMinutesAgo = Date.now() / 1000 - 11 * 60;
    fs.utimesSync(stale, elevenMinutesAgo, elevenMinutesAgo);
    const d = drain(work);
    await waitFor(() => (d.lines.length === 1 ? true : undefined), { what: 'ready' });
    expect(fs.readdirSync(repliesDir(work))).toEqual([path.basename(fresh)]);
  });

  it('ends with exit 0 when its stdin closes', async () => {
    const d = drain(workDir());
    d.input.end();
    expect(await d.done).toBe(0);
  });
});
