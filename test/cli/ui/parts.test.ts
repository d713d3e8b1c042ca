/**
 * The dashboard's small parts: the supervisor in the header, adding up
 * costs, fitting text into cells, and the watch on the log.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCost, stageCost, totalCost } from '../../../src/cli/ui/cost.js';
import { supervisorLabel } from '../../../src/cli/ui/supervisor.js';
import { readSupervisor, writeSupervisor } from '../../../src/engine/supervisor.js';
import type { Workspace } from '../../../src/engine/workspace.js';
import { cleanLine, cut, duration, fit, meter, wrap } from '../../../src/cli/ui/text.js';
import { watchLog } from '../../../src/cli/ui/watch.js';
import { waitFor } from '../../helpers/wait.js';
import { authLog } from './fixtures.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flux-ui-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A workspace whose .work/ is a fresh temporary directory. */
function workspace(): Workspace {
  const root = tempDir();
  const workDir = path.join(root, '.work');
  mkdirSync(workDir);
  return {
    root,
    workDir,
    logPath: path.join(workDir, 'events.jsonl'),
    configPath: path.join(workDir, 'config.toml'),
  };
}

describe('the supervisor, as the header says it (read by src/engine/supervisor.ts)', () => {
  it('not running without .work/supervisor.json', () => {
    const status = readSupervisor(workspace());
    expect(status).toEqual({ running: false });
    expect(supervisorLabel(status)).toBe('supervisor: not running');
  });

  it('running while its pid is alive, with the time it started', () => {
    const ws = workspace();
    writeSupervisor(ws, {
      pid: process.pid,
      since: '2026-11-21T10:04:00.000Z',
      version: '0.1.0',
      log: 'logs/supervisor.log',
    });
    const status = readSupervisor(ws);
    expect(status).toMatchObject({ running: true, pid: process.pid });
    expect(supervisorLabel(status)).toMatch(
      new RegExp(`^supervisor: running \\(pid ${process.pid}, since \\d\\d:\\d\\d\\)$`),
    );
  });

  it('not running once its process has exited, or when the record is damaged', () => {
    const ws = workspace();
    const exited = spawnSync(process.execPath, ['-e', '']).pid!;
    writeSupervisor(ws, {
      pid: exited,
      since: '2026-11-21T10:04:00.000Z',
      version: '0.1.0',
      log: 'logs/supervisor.log',
    });
    expect(supervisorLabel(readSupervisor(ws))).toBe('supervisor: not running');
    writeFileSync(path.join(ws.workDir, 'supervisor.json'), '{"pid": ');
    expect(supervisorLabel(readSupervisor(ws))).toBe('supervisor: not running');
  });
});

describe('cost', () => {
  it('unknown (—) while no session has one; the sum of those that do', () => {
    const { state } = authLog();
    expect(totalCost(state)).toBeNull();
    expect(formatCost(null)).toBe('—');
    state.sessions['stage-2-api.s1']!.costUsd = 0.125;
    state.sessions['stage-3-frontend.s1']!.costUsd = 2;
    expect(totalCost(state)).toBe(2.125);
    expect(stageCost(state, 'stage-2-api')).toBe(0.125);
    expect(stageCost(state, 'stage-1-models')).toBeNull();
    expect(formatCost(2.125)).toBe('$2.13');
    expect(formatCost(123.4)).toBe('$123');
  });
});

describe('text', () => {
  it('fit pads or cuts to the width, with an ellipsis', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(cut('abcdef', 4)).toBe('abc…');
    expect(cut('abc', 4)).toBe('abc');
  });

  it('wrap breaks at spaces, long words where they must, and caps the lines', () => {
    expect(wrap('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrap('one two three four five', 9, 2)).toEqual(['one two', 'three …']);
  });

  it('the context meter and durations', () => {
    expect(meter(null)).toBe('');
    expect(meter(0)).toBe('░░░░ 0%');
    expect(meter(42)).toBe('██░░ 42%');
    expect(meter(100)).toBe('████ 100%');
    expect(duration(45_000)).toBe('45s');
    expect(duration(725_000)).toBe('12m05s');
    expect(duration(3 * 3600_000 + 7 * 60_000)).toBe('3h07m');
  });

  it('cleanLine: tabs expanded, what a carriage return overwrote dropped, escapes removed (colours kept on request)', () => {
    expect(cleanLine('a\tb', false)).toBe('a       b');
    expect(cleanLine('10%\r50%\r100%', false)).toBe('100%');
    expect(cleanLine('\u001b[31mred\u001b[0m\u001b[2K', false)).toBe('red');
    expect(cleanLine('\u001b[31mred\u001b[0m\u001b[2K', true)).toBe('\u001b[31mred\u001b[0m');
    expect(cleanLine('bell\u0007', false)).toBe('bell');
  });
});

describe('the watch on the log', () => {
  it('calls back at once, coalesces a burst, ignores the other files, and calls again for the next append', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'events.jsonl');
    writeFileSync(log, '');
    let calls = 0;
    const watcher = watchLog(dir, () => calls++, 20);
    try {
      for (let i = 0; i < 5; i++) appendFileSync(log, `{"seq":${i}}\n`);
      await waitFor(() => (calls >= 1 ? true : undefined), { what: 'the first call' });
      await new Promise((resolve) => setTimeout(resolve, 150));
      // The first at once, the rest of the burst in one more call at most.
      expect(calls).toBeLessThanOrEqual(2);
      const afterBurst = calls;
      // Other files in .work/ (snapshots, projections, locks) do not count.
      writeFileSync(path.join(dir, 'events.jsonl.snapshot'), 'x');
      writeFileSync(path.join(dir, 'execution-graph.toml'), 'x');
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(calls).toBe(afterBurst);
      appendFileSync(log, '{"seq":5}\n');
      await waitFor(() => (calls === afterBurst + 1 ? true : undefined), { what: 'the next call' });
    } finally {
      watcher.close();
    }
  });
});
