/**
 * The host's spool and replies (src/hosts/spool.ts): files written whole
 * (never a half file under a request's name, no temporary left behind),
 * names that sort by the call's time, replies taken once, and the sweep of
 * what nobody waits for any more.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayRequest } from '../../src/hosts/protocol.js';
import {
  idOfRequestFile,
  isTemporaryFile,
  pendingRequestFiles,
  removeOlderThan,
  replyFile,
  requestFileName,
  spoolDir,
  spoolRequest,
  takeReply,
  writeDurably,
} from '../../src/hosts/spool.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function workDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-spool-'));
  made.push(dir);
  return dir;
}

function request(at: string, id = randomUUID()): RelayRequest {
  return { id, at, session: 'api.s1', stage: 'api', env: {}, kind: 'exit', status: 0 };
}

describe('the spool', () => {
  it('a request is one whole file named <ms>-<id>.json, with nothing temporary left', () => {
    const work = workDir();
    const req = request('2026-01-02T03:04:05.678Z');
    const file = spoolRequest(work, req);
    expect(path.basename(file)).toBe(`${Date.parse(req.at)}-${req.id}.json`);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(req);
    expect(fs.readdirSync(spoolDir(work))).toEqual([path.basename(file)]);
    expect(idOfRequestFile(path.basename(file))).toBe(req.id);
  });

  it('names sort by the time of the call, whatever order they were written in', () => {
    const work = workDir();
    const late = request('2026-01-02T03:04:06.000Z');
    const early = request('2026-01-02T03:04:05.000Z');
    // 13 digits: a time before 2001 (12 digits) still sorts first.
    const ancient = request('1999-01-01T00:00:00.000Z');
    for (const req of [late, early, ancient]) spoolRequest(work, req);
    expect(pendingRequestFiles(spoolDir(work)).map(idOfRequestFile)).toEqual([ancient.id, early.id, late.id]);
  });

  it('lists only requests: an interrupted write (.tmp), a set-aside .bad file and strays are not', () => {
    const work = workDir();
    const req = request('2026-01-02T03:04:05.000Z');
    spoolRequest(work, req);
    const spool = spoolDir(work);
    const name = requestFileName(Date.parse(req.at), randomUUID());
    fs.writeFileSync(path.join(spool, `.${name}.123.abc.tmp`), '{"id":');
    fs.writeFileSync(path.join(spool, `${name}.bad`), 'garbage');
    fs.writeFileSync(path.join(spool, 'notes.txt'), 'x');
    expect(pendingRequestFiles(spool)).toEqual([requestFileName(Date.parse(req.at), req.id)]);
    expect(isTemporaryFile(`.${name}.123.abc.tmp`)).toBe(true);
    expect(isTemporaryFile(name)).toBe(false);
  });

  it('a missing spool is empty, not an error', () => {
    expect(pendingRequestFiles(path.join(workDir(), 'nowhere'))).toEqual([]);
  });
});

describe('replies', () => {
  it('taken once: the reply is returned and its file removed; null while none has come', () => {
    const work = workDir();
    const id = randomUUID();
    expect(takeReply(work, id)).toBeNull();
    writeDurably(replyFile(work, id), JSON.stringify({ stdout: 'out\n', stderr: '', exitCode: 0 }));
    expect(takeReply(work, id)).toEqual({ stdout: 'out\n', stderr: '', exitCode: 0 });
    expect(fs.existsSync(replyFile(work, id))).toBe(false);
    expect(takeReply(work, id)).toBeNull();
  });

  it('a reply file that is not a reply is an error naming the file (and is not taken twice)', () => {
    const work = workDir();
    const id = randomUUID();
    writeDurably(replyFile(work, id), '{"stdout":1}');
    expect(() => takeReply(work, id)).toThrow(`${replyFile(work, id)}: not a reply`);
    expect(takeReply(work, id)).toBeNull();
  });

  it('the sweep removes only what is older than the age, and only what it is told to', () => {
    const dir = workDir();
    const old = Date.now() / 1000 - 3600;
    for (const name of ['old.json', '.old.1.a.tmp', 'new.json']) fs.writeFileSync(path.join(dir, name), '{}');
    fs.utimesSync(path.join(dir, 'old.json'), old, old);
    fs.utimesSync(path.join(dir, '.old.1.a.tmp'), old, old);
    expect(removeOlderThan(dir, 10 * 60 * 1000, isTemporaryFile)).toEqual(['.old.1.a.tmp']);
    expect(removeOlderThan(dir, 10 * 60 * 1000).sort()).toEqual(['old.json']);
    expect(fs.readdirSync(dir)).toEqual(['new.json']);
  });
});
