/**
 * When `.work/` cannot be written: an immutable log or directory, a full disk
 * while taking the lock, while appending, or while writing a view. Each is a
 * typed error with its own exit code (9: nothing was recorded; 10: recorded,
 * only a view is out of date), naming the file and saying what to do, never
 * a stack trace. Nothing already in the log is ever damaged: a failed append
 * leaves it byte for byte as it was.
 *
 * Real faults: `chattr +i` and a 200 KB tmpfs mounted over `.work/` (both
 * need root; the tests skip themselves, saying why, where they cannot run).
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFlux, fluxRunEnv, planDocument, snapshotFlux } from '../helpers/flux-run.js';
import {
  immutableUnsupported,
  makeImmutable,
  mountSmallDisk,
  PAGE,
  tmpfsUnsupported,
  type SmallDisk,
} from '../helpers/fs-faults.js';
import { tempRepo, type TempRepo } from '../helpers/temp-repo.js';

const plan = planDocument(
  'Disk faults',
  `    - id: models
      name: "Models"
      dependencies: []
      acceptance:
        - "true"
      files:
        - "src/models/*.rs"
    - id: api
      name: "API"
      dependencies: [models]
      acceptance:
        - "true"
      files:
        - "src/api/*.rs"`,
);

const bin = snapshotFlux();
const env = fluxRunEnv({});
afterAll(() => rmSync(path.dirname(path.dirname(bin)), { recursive: true, force: true }));

let repo: TempRepo;
const work = (...parts: string[]): string => path.join(repo.root, '.work', ...parts);
const logBytes = (): Buffer => readFileSync(work('events.jsonl'));
const flux = (...args: string[]) => execFlux(bin, env, repo.root, args);

beforeEach(async () => {
  repo = await tempRepo('flux-io-');
  await repo.commit('Add the plan', { 'doc/PLAN.md': plan });
  const init = await flux('init', 'doc/PLAN.md');
  expect(init.exitCode, init.stderr).toBe(0);
});

afterEach(async () => {
  await repo.cleanup();
});

/** What every one of these failures prints: one error, one hint, no stack. */
function expectPlainError(stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(2);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[1]).toMatch(/^hint: /);
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
}

/** Files under .work/ a failed write must not leave behind. */
function strayFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (name.endsWith('.tmp') || /^(events|effects)\.lock(\.next)?$/.test(name)) found.push(file);
    }
  };
  walk(work());
  return found;
}

describe.skipIf(immutableUnsupported() !== null)(
  `an immutable file or directory (chattr +i)${immutableUnsupported() === null ? '' : `: skipped, ${immutableUnsupported()}`}`,
  () => {
    it('an immutable events.jsonl: exit 9, naming the log, nothing recorded, no stack', async () => {
      const before = logBytes();
      const undo = makeImmutable(work('events.jsonl'));
      try {
        const result = await flux('stage', 'api', 'block', '--reason', 'waiting');
        expect(result.exitCode, result.stderr).toBe(9);
        expectPlainError(result.stderr);
        expect(result.stderr).toContain(
          `error: cannot open ${work('events.jsonl')}: operation not permitted (EPERM); nothing was recorded`,
        );
        expect(result.stderr).toMatch(/hint: .*lsattr.*chattr \+i/);
      } finally {
        undo();
      }
      expect(logBytes()).toEqual(before);
      expect(strayFiles()).toEqual([]);
    });

    it('an immutable .work/: exit 9, naming the lock it could not take', async () => {
      const before = logBytes();
      const undo = makeImmutable(work());
      try {
        // The first lock a command that acts takes is the effects lock (the log's comes after).
        const result = await flux('stage', 'api', 'block', '--reason', 'waiting');
        expect(result.exitCode, result.stderr).toBe(9);
        expectPlainError(result.stderr);
        expect(result.stderr).toContain(
          `error: cannot take the lock ${work('effects.lock')}: operation not permitted (EPERM); nothing was recorded`,
        );
      } finally {
        undo();
      }
      expect(logBytes()).toEqual(before);
      // And once it can be written again, the same command works.
      const again = await flux('stage', 'api', 'block', '--reason', 'waiting');
      expect(again.exitCode, again.stderr).toBe(0);
    });

    it('any other file Flux cannot write (here the skill): exit 9 naming it, no stack', async () => {
      const claude = path.join(repo.root, '.claude');
      await repo.write('.claude/.keep', '');
      const undo = makeImmutable(claude);
      try {
        const result = await flux('skill', 'install');
        expect(result.exitCode, result.stderr).toBe(9);
        expectPlainError(result.stderr);
        expect(result.stderr).toMatch(
          new RegExp(`^error: cannot \\w[\\w ]* ${claude}/\\S+: operation not permitted \\(EPERM\\)\n`),
        );
      } finally {
        undo();
      }
    });
  },
);

describe.skipIf(tmpfsUnsupported() !== null)(
  `a full disk (a 200 KB tmpfs over .work/)${tmpfsUnsupported() === null ? '' : `: skipped, ${tmpfsUnsupported()}`}`,
  () => {
    let disk: SmallDisk | undefined;
    beforeEach(() => {
      disk = mountSmallDisk(work());
    });
    afterEach(() => {
      disk?.unmount();
      disk = undefined;
    });

    /** The line `flux stage api block --reason <reason>` appends next. */
    function blockedLine(reason: string): number {
      const seq = logBytes().toString('utf8').trimEnd().split('\n').length + 1;
      const at = new Date(0).toISOString();
      return `${JSON.stringify({ v: 1, seq, at, type: 'stage.blocked', stage: 'api', reason })}\n`.length;
    }
    /** Bytes the log can grow by without a new page. */
    const slack = (): number => (PAGE - (logBytes().length % PAGE)) % PAGE;

    it('no space for the lock: exit 9, naming the lock; no lock file left, the log as it was', async () => {
      const before = logBytes();
      disk!.leaveFree(0);
      const result = await flux('stage', 'api', 'block', '--reason', 'waiting');
      expect(result.exitCode, result.stderr).toBe(9);
      expectPlainError(result.stderr);
      expect(result.stderr).toContain(
        `error: cannot take the lock ${work('effects.lock')}: no space left on device (ENOSPC); nothing was recorded`,
      );
      expect(result.stderr).toMatch(/hint: free some space/);
      expect(logBytes()).toEqual(before);
      expect(strayFiles()).toEqual([]);
    });

    it('no space for the whole line: exit 9; the part written is cut off again, the log is byte for byte as it was', async () => {
      const before = logBytes();
      const reason = 'r'.repeat(3 * PAGE);
      // The two locks (effects, then the log's) get the two free pages; the line then fills the
      // log's last page and finds no other.
      disk!.leaveFree(2);
      const result = await flux('stage', 'api', 'block', '--reason', reason);
      expect(result.exitCode, result.stderr).toBe(9);
      expectPlainError(result.stderr);
      expect(result.stderr).toContain(
        `error: cannot append to ${work('events.jsonl')}: no space left on device (ENOSPC); nothing was recorded, and the log is as it was`,
      );
      expect(logBytes()).toEqual(before);
      expect(strayFiles()).toEqual([]);
      // With space again, the same command appends the whole line.
      disk!.freeAll();
      const again = await flux('stage', 'api', 'block', '--reason', reason);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(logBytes().subarray(0, before.length)).toEqual(before);
      expect(JSON.parse(logBytes().toString('utf8').trimEnd().split('\n').at(-1)!)).toMatchObject({
        type: 'stage.blocked',
        reason,
      });
    });

    it('no space for a view: exit 10, saying the event was recorded; the next command rewrites every view', async () => {
      const before = logBytes();
      // A page for each lock, and the line fits in the log's last page or takes one more: none is left for the views.
      disk!.leaveFree(slack() >= blockedLine('waiting') ? 2 : 3);
      const result = await flux('stage', 'api', 'block', '--reason', 'waiting');
      expect(result.exitCode, result.stderr).toBe(10);
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(result.stderr).toMatch(
        new RegExp(
          `^error: the events were recorded, but the view ${work().replaceAll('/', '\\/')}\\/\\S+ could not be written: no space left on device \\(ENOSPC\\)\n`,
        ),
      );
      expect(result.stderr).toMatch(/hint: .*the next command that records an event rewrites/);
      // Recorded, whole, after everything that was there.
      const after = logBytes();
      expect(after.subarray(0, before.length)).toEqual(before);
      expect(JSON.parse(after.toString('utf8', before.length))).toMatchObject({
        type: 'stage.blocked',
        stage: 'api',
        reason: 'waiting',
      });
      expect(strayFiles()).toEqual([]);
      expect(readFileSync(work('stages', 'api.md'), 'utf8')).not.toContain('Status: blocked');

      // Space again: the next command that records anything rewrites them all, this stage's too.
      disk!.freeAll();
      const next = await flux('stage', 'models', 'block', '--reason', 'later');
      expect(next.exitCode, next.stderr).toBe(0);
      expect(next.stderr).toBe('');
      expect(readFileSync(work('stages', 'api.md'), 'utf8')).toContain('- Status: blocked');
      expect(readFileSync(work('stages', 'models.md'), 'utf8')).toContain('- Status: blocked');
      const seq = logBytes().toString('utf8').trimEnd().split('\n').length;
      expect(readFileSync(work('execution-graph.toml'), 'utf8')).toContain(`seq = ${seq}`);
      expect(existsSync(work('cache', 'views-stale'))).toBe(false);
    });
  },
);
