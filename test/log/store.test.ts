import fs from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { LogDamagedError, TransitionError } from '../../src/errors.js';
import { appendEvents } from '../../src/log/append.js';
import { InvalidEventError } from '../../src/log/codec.js';
import type { NewEvent } from '../../src/log/events.js';
import { readLog } from '../../src/log/read.js';
import { EventStore } from '../../src/log/store.js';
import { foldCounter, foldCounterInPlace, initialCounter, type Counter } from './counter-state.js';
import {
  blocked,
  captureError,
  FIXED_NOW,
  line,
  payloads,
  tempWorkDir,
  working,
  writeLines,
} from './log-fixtures.js';

function counterStore(workDir: string, fold = foldCounter) {
  return new EventStore<Counter>({ workDir, initial: initialCounter, fold, now: FIXED_NOW });
}

describe('EventStore', () => {
  it('loads a missing log as the initial state', () => {
    const { workDir } = tempWorkDir();
    const store = counterStore(workDir);
    expect(store.load()).toEqual(initialCounter());
    expect([store.lastSeq, store.offset]).toEqual([0, 0]);
  });

  it('appends what decide returns, folds it and reports where it got to', () => {
    const { workDir, logPath } = tempWorkDir();
    const store = counterStore(workDir);
    const result = store.transact((state) => [working(`s${state.count}`), blocked('a', 'r')]);
    expect(result.events.map((e) => [e.seq, e.at])).toEqual([
      [1, FIXED_NOW().toISOString()],
      [2, FIXED_NOW().toISOString()],
    ]);
    expect(result.state).toEqual({ count: 2, working: ['s0'], blocked: { a: 'r' } });
    expect(store.state).toBe(result.state);
    expect([store.lastSeq, store.offset]).toEqual([2, fs.statSync(logPath).size]);
  });

  it('decides against events other processes appended since it loaded', () => {
    const { workDir, logPath } = tempWorkDir();
    const mine = counterStore(workDir);
    mine.load();
    appendEvents(logPath, [working('other-1')]);
    counterStore(workDir).transact(() => [working('other-2')]);
    const seen: Counter[] = [];
    const { events } = mine.transact((state) => {
      seen.push(structuredClone(state));
      return [working(`after-${state.count}`)];
    });
    expect(seen).toEqual([{ count: 2, working: ['other-1', 'other-2'], blocked: {} }]);
    expect(events[0]?.seq).toBe(3);
    expect(mine.state.working).toEqual(['other-1', 'other-2', 'after-2']);
  });

  it('appends nothing when decide returns nothing, but still catches up', () => {
    const { workDir, logPath } = tempWorkDir();
    const store = counterStore(workDir);
    store.load();
    appendEvents(logPath, [working('x')]);
    expect(store.transact(() => [])).toEqual({
      events: [],
      state: { count: 1, working: ['x'], blocked: {} },
    });
    expect(readLog(logPath).events).toHaveLength(1);
  });

  it('appends nothing when decide throws', () => {
    const { workDir, logPath } = tempWorkDir();
    const store = counterStore(workDir);
    store.transact(() => [working('a')]);
    expect(() =>
      store.transact(() => {
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(readLog(logPath).events).toHaveLength(1);
    expect(fs.existsSync(`${workDir}/events.lock`)).toBe(false);
  });

  it('appends nothing when the fold refuses a decided event, and keeps a true state', () => {
    const { workDir, logPath } = tempWorkDir();
    const store = counterStore(workDir, foldCounterInPlace);
    store.transact(() => [working('a')]);
    // The first event folds (and, in place, changes the state) before the second throws.
    const crash: NewEvent = { type: 'session.crashed', session: 'ghost', reason: 'x' };
    expect(() => store.transact(() => [working('b'), crash])).toThrow(TransitionError);
    expect(payloads(readLog(logPath).events)).toEqual([working('a')]);
    expect(store.state).toEqual({ count: 1, working: ['a'], blocked: {} });
    expect(store.lastSeq).toBe(1);
  });

  it('refuses an invalid decided event with nothing appended', () => {
    const { workDir, logPath } = tempWorkDir();
    const store = counterStore(workDir);
    expect(() => store.transact(() => [{ type: 'session.working' } as NewEvent])).toThrow(InvalidEventError);
    expect(fs.existsSync(logPath) ? readLog(logPath).events : []).toEqual([]);
  });

  it('folds only what was appended since the last load', () => {
    const { workDir, logPath } = tempWorkDir();
    appendEvents(logPath, [working('a'), working('b')]);
    const fold = vi.fn(foldCounter);
    const store = counterStore(workDir, fold);
    store.load();
    expect(fold).toHaveBeenCalledTimes(2);
    appendEvents(logPath, [working('c')]);
    expect(store.load().working).toEqual(['a', 'b', 'c']);
    expect(fold).toHaveBeenCalledTimes(3);
  });

  it('turns a logged event the fold refuses into LogDamagedError naming its line', () => {
    const { workDir, logPath } = tempWorkDir();
    appendEvents(logPath, [working('a'), { type: 'session.crashed', session: 'ghost', reason: 'x' }]);
    const error = captureError(() => counterStore(workDir, foldCounterInPlace).load());
    expect(error).toBeInstanceOf(LogDamagedError);
    expect((error as LogDamagedError).line).toBe(2);
    expect((error as LogDamagedError).message).toMatch(/line 2: the session.crashed event does not replay/);
    expect((error as Error).cause).toBeInstanceOf(TransitionError);
  });

  it('reports damage in the log as LogDamagedError', () => {
    const { workDir, logPath } = tempWorkDir();
    writeLines(logPath, line(1), 'nonsense\n', line(3));
    expect(() => counterStore(workDir).load()).toThrow(/line 2: not valid JSON/);
    expect(() => counterStore(workDir).transact(() => [working('x')])).toThrow(LogDamagedError);
    expect(fs.readFileSync(logPath, 'utf8')).toBe(line(1) + 'nonsense\n' + line(3));
  });

  it('loads up to a torn tail and cuts it on the next transact', () => {
    const { workDir, logPath } = tempWorkDir();
    writeLines(logPath, line(1, working('a')), '{"v":1,"seq":2');
    const store = counterStore(workDir);
    expect(store.load().working).toEqual(['a']);
    expect(store.offset).toBe(line(1, working('a')).length);
    const { events } = store.transact(() => [working('b')]);
    expect(events[0]?.seq).toBe(2);
    expect(payloads(readLog(logPath).events)).toEqual([working('a'), working('b')]);
  });

  it('refuses to decide on a log replaced under it, then reloads it whole', () => {
    const { workDir, logPath } = tempWorkDir();
    const store = counterStore(workDir);
    store.transact(() => [working('a'), working('b')]);
    writeLines(logPath, line(1, working('z')));
    expect(() => store.transact(() => [working('c')])).toThrow(/shorter than/);
    expect(readLog(logPath).events).toHaveLength(1);
    expect(store.load().working).toEqual(['z']);
    expect(store.transact(() => [working('c')]).state.working).toEqual(['z', 'c']);
  });
});
