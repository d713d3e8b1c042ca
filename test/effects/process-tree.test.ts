/** Reading the process tree: /proc parsing, the parent chain, the environment scan (real processes). */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  ancestry,
  chainFrom,
  isRunning,
  parsePsTable,
  parseStat,
  processesWithEnv,
  readStat,
} from '../../src/effects/process-tree.js';
import { waitFor } from '../helpers/wait.js';

describe('parseStat', () => {
  it('reads pid, name, state, parent and group, whatever the name holds', () => {
    expect(parseStat('4242 (tmux: server) S 1 4242 4242 0 -1 4194624 ...')).toEqual({
      pid: 4242,
      comm: 'tmux: server',
      state: 'S',
      ppid: 1,
      pgrp: 4242,
    });
    expect(parseStat('7 (a) b) (c) Z 3 5 5 0')).toMatchObject({
      pid: 7,
      comm: 'a) b) (c',
      state: 'Z',
      ppid: 3,
    });
  });

  it('is null for text that is not a stat line', () => {
    expect(parseStat('')).toBeNull();
    expect(parseStat('12 no parens S 1 1')).toBeNull();
    expect(parseStat('12 (x) S')).toBeNull();
  });
});

describe('chainFrom', () => {
  it('walks up to init, and stops at a loop', () => {
    const parents = new Map([
      [30, 20],
      [20, 10],
      [10, 1],
      [1, 0],
    ]);
    expect(chainFrom(30, (pid) => parents.get(pid) ?? null)).toEqual([30, 20, 10, 1]);
    const loop = new Map([
      [5, 6],
      [6, 5],
    ]);
    expect(chainFrom(5, (pid) => loop.get(pid) ?? null)).toEqual([5, 6]);
    expect(chainFrom(9, () => null)).toEqual([9]);
  });
});

describe('parsePsTable', () => {
  it('reads `ps -A -o pid= -o ppid=` and skips what is not a row', () => {
    expect(parsePsTable('    1     0\n  812     1\nPID PPID\n\n')).toEqual(
      new Map([
        [1, 0],
        [812, 1],
      ]),
    );
  });
});

describe('this machine', () => {
  it('ancestry starts at this process and goes through its parent', async () => {
    const chain = await ancestry();
    expect(chain?.[0]).toBe(process.pid);
    expect(chain?.[1]).toBe(process.ppid);
    expect(readStat(process.pid)).toMatchObject({ pid: process.pid, ppid: process.ppid });
  });

  it('finds live processes by a variable they started with, and not once they have exited', async () => {
    const marker = randomBytes(8).toString('hex');
    const child = spawn('sleep', ['30'], {
      env: { PATH: process.env.PATH, FLUX_TEST_MARK: marker },
      stdio: 'ignore',
    });
    const pid = child.pid!;
    try {
      await waitFor(() => (processesWithEnv('FLUX_TEST_MARK', marker).includes(pid) ? true : undefined), {
        what: 'the marked child',
      });
      expect(processesWithEnv('FLUX_TEST_MARK', `${marker}x`)).toEqual([]);
      expect(isRunning(pid)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));
    expect(processesWithEnv('FLUX_TEST_MARK', marker)).toEqual([]);
  });
});
