import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { appendEvents } from '../../src/log/append.js';
import { snapshotPathFor } from '../../src/log/paths.js';
import { loadSnapshot, SNAPSHOT_FORMAT, writeSnapshot, type SnapshotCodec } from '../../src/log/snapshot.js';
import { EventStore } from '../../src/log/store.js';
import { foldCounter, foldCounterInPlace, initialCounter, isCounter, type Counter } from './counter-state.js';
import { blocked, tempWorkDir, working } from './log-fixtures.js';

const codec: SnapshotCodec<Counter> = { version: 'counter-1', validate: isCounter };

function snapshotStore(workDir: string, fold = foldCounter, every = 5) {
  return new EventStore<Counter>({ workDir, initial: initialCounter, fold, snapshot: { ...codec, every } });
}

function readSnapshotFile(logPath: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(snapshotPathFor(logPath), 'utf8')) as Record<string, unknown>;
}

function editSnapshot(logPath: string, edit: (file: Record<string, unknown>) => void): void {
  const file = readSnapshotFile(logPath);
  edit(file);
  fs.writeFileSync(snapshotPathFor(logPath), JSON.stringify(file));
}

/** A log of `count` events with a snapshot taken after all of them. */
function logWithSnapshot(count: number): { workDir: string; logPath: string } {
  const dirs = tempWorkDir();
  appendEvents(
    dirs.logPath,
    Array.from({ length: count }, (_, i) => working(`s${i}`)),
  );
  snapshotStore(dirs.workDir, foldCounter, 1).load();
  return dirs;
}

describe('snapshot cache', () => {
  it('is written once enough events were folded, recording where in the log it stands', () => {
    const { workDir, logPath } = tempWorkDir();
    const store = snapshotStore(workDir);
    store.transact(() => [working('a'), working('b')]);
    expect(fs.existsSync(snapshotPathFor(logPath))).toBe(false);
    store.transact(() => [working('c'), working('d'), working('e')]);
    const file = readSnapshotFile(logPath);
    expect(file).toMatchObject({
      format: SNAPSHOT_FORMAT,
      state_version: 'counter-1',
      seq: 5,
      offset: fs.statSync(logPath).size,
      state: { count: 5, working: ['a', 'b', 'c', 'd', 'e'] },
    });
    expect(file.last_line).toMatch(/^\{"v":1,/);
    expect(fs.readdirSync(path.dirname(snapshotPathFor(logPath)))).toEqual(['snapshot.json']);
  });

  it('lets the next load fold only the events after it', () => {
    const { workDir, logPath } = logWithSnapshot(20);
    appendEvents(logPath, [working('late')]);
    const fold = vi.fn(foldCounter);
    const store = snapshotStore(workDir, fold, 1000);
    expect(store.load().working).toHaveLength(21);
    expect(store.snapshotSeq).toBe(20);
    expect(fold).toHaveBeenCalledTimes(1);
    expect(store.state).toEqual(snapshotStore(workDir).load({ ignoreSnapshot: true }));
  });

  it('gives the same state with the snapshot deleted', () => {
    const { workDir, logPath } = logWithSnapshot(12);
    appendEvents(logPath, [blocked('x', 'y')]);
    const withSnapshot = snapshotStore(workDir).load();
    fs.rmSync(snapshotPathFor(logPath));
    const without = snapshotStore(workDir);
    expect(without.load()).toEqual(withSnapshot);
    expect(without.snapshotSeq).toBe(0);
  });

  const mismatches: [string, (logPath: string) => void, RegExp][] = [
    [
      'another state version',
      (p) => editSnapshot(p, (f) => (f.state_version = 'counter-0')),
      /state version/,
    ],
    ['another format', (p) => editSnapshot(p, (f) => (f.format = 99)), /format/],
    [
      'a changed last line',
      (p) => editSnapshot(p, (f) => (f.last_line = String(f.last_line).replace('"v":1', '"v": 1'))),
      /differs/,
    ],
    ['a wrong seq', (p) => editSnapshot(p, (f) => (f.seq = 3)), /another seq/],
    [
      'an offset inside a line',
      (p) => editSnapshot(p, (f) => (f.offset = (f.offset as number) - 3)),
      /not at the end of a line/,
    ],
    ['a malformed file', (p) => editSnapshot(p, (f) => (f.offset = 'far')), /malformed/],
    ['an invalid state', (p) => editSnapshot(p, (f) => (f.state = { count: 'x' })), /invalid state/],
    ['garbage', (p) => fs.writeFileSync(snapshotPathFor(p), '{"format":'), /unreadable/],
    ['a shorter log', (p) => fs.truncateSync(p, 10), /shorter/],
    [
      'a log rewritten with other events',
      (p) => {
        fs.rmSync(p);
        appendEvents(
          p,
          Array.from({ length: 10 }, (_, i) => working(`t${i}`)),
        );
      },
      /differs/,
    ],
  ];

  it.each(mismatches)('is ignored when it does not match: %s', (_name, spoil, reason) => {
    const { workDir, logPath } = logWithSnapshot(10);
    spoil(logPath);
    const result = loadSnapshot(snapshotPathFor(logPath), logPath, codec);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
    if (fs.statSync(logPath).size > 10) {
      const store = snapshotStore(workDir, foldCounter, 1000);
      expect(store.load()).toEqual(snapshotStore(workDir).load({ ignoreSnapshot: true }));
      expect(store.snapshotSeq).toBe(0);
    }
  });

  it('is ignored when validate throws, and trusted as plain JSON without validate', () => {
    const { logPath } = logWithSnapshot(6);
    const throwing = {
      version: 'counter-1',
      validate: () => {
        throw new Error('no');
      },
    };
    expect(loadSnapshot(snapshotPathFor(logPath), logPath, throwing)).toEqual({
      ok: false,
      reason: 'invalid state: no',
    });
    const plain = loadSnapshot(snapshotPathFor(logPath), logPath, { version: 'counter-1' });
    expect(plain).toMatchObject({ ok: true, seq: 6, state: { count: 6 } });
  });

  it('supports the stateVersion shorthand', () => {
    const { workDir, logPath } = tempWorkDir();
    appendEvents(
      logPath,
      Array.from({ length: 2001 }, (_, i) => working(`s${i}`)),
    );
    const options = { workDir, initial: initialCounter, fold: foldCounterInPlace, stateVersion: '7' };
    new EventStore<Counter>(options).load();
    expect(readSnapshotFile(logPath)).toMatchObject({ state_version: '7', seq: 2001 });
    const again = new EventStore<Counter>(options);
    expect(again.load().count).toBe(2001);
    expect(again.snapshotSeq).toBe(2001);
  });

  it('never fails a command when it cannot be written', () => {
    const { workDir } = tempWorkDir();
    fs.writeFileSync(path.join(workDir, 'cache'), 'not a directory');
    const store = snapshotStore(workDir, foldCounter, 1);
    expect(store.transact(() => [working('a'), working('b')]).state.count).toBe(2);
  });

  it('is replaced atomically by writeSnapshot', () => {
    const { workDir, logPath } = logWithSnapshot(3);
    writeSnapshot(snapshotPathFor(logPath), logPath, codec, {
      seq: 3,
      offset: fs.statSync(logPath).size,
      state: { count: 42, working: [], blocked: {} },
    });
    expect(snapshotStore(workDir).load().count).toBe(42); // trusted: it matches the log
    expect(fs.readdirSync(path.join(workDir, 'cache'))).toEqual(['snapshot.json']);
  });

  it('never changes a result, whenever it is taken (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 6 }),
        (batches, every) => {
          const { workDir, logPath } = tempWorkDir();
          let n = 0;
          for (const size of batches) {
            snapshotStore(workDir, foldCounterInPlace, every).transact(() =>
              Array.from({ length: size }, () =>
                n++ % 3 === 0 ? blocked(`x${n % 4}`, `r${n}`) : working(`s${n}`),
              ),
            );
          }
          const cached = snapshotStore(workDir, foldCounterInPlace, every).load();
          fs.rmSync(snapshotPathFor(logPath), { force: true });
          expect(snapshotStore(workDir, foldCounterInPlace).load()).toEqual(cached);
          fs.rmSync(workDir, { recursive: true, force: true });
        },
      ),
      { numRuns: 60 },
    );
  });
});
