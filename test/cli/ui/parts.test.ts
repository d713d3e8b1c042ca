/**
 * The dashboard's small parts: reading the supervisor's file, adding up
 * costs, fitting text into cells, and the watch on the log.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCost, stageCost, totalCost } from '../../../src/cli/ui/cost.js';
import { readSupervisor, supervisorLabel } from '../../../src/cli/ui/supervisor.js';
import { cleanLine, cut, duration, fit, meter, wrap } from '../../../src/cli/ui/text.js';
import { watchLog } from '../../../src/cli/ui/watch.js';
import { refuseInsideAgentSession } from '../../../src/cli/ui/human-guard.js';
import { RefusedError } from '../../../src/errors.js';
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

describe('the supervisor', () => {
  it('not running without .work/supervisor.json', () => {
    expect(readSupervisor(tempDir())).toEqual({ running: false, why: null });
  });

  it('running while its pid is alive; not running once it has exited', () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'supervisor.json'),
      JSON.stringify({ pid: 4242, since: '2026-11-21T10:04:00.000Z', version: '0.1.0' }),
    );
    const alive = readSupervisor(dir, (pid) => pid === 4242);
    expect(alive).toEqual({ running: true, pid: 4242, since: '2026-11-21T10:04:00.000Z', version: '0.1.0' });
    expect(supervisorLabel(alive)).toMatch(/^supervisor: running \(pid 4242, since \d\d:\d\d\)$/);
    const gone = readSupervisor(dir, () => false);
    expect(gone).toEqual({ running: false, why: 'pid 4242 has exited' });
    expect(supervisorLabel(gone)).toBe('supervisor: not running');
  });

  it('this process counts as alive; a damaged file is not running, and says why', () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'supervisor.json'),
      JSON.stringify({ pid: process.pid, since: '', version: '' }),
    );
    expect(readSupervisor(dir).running).toBe(true);
    writeFileSync(path.join(dir, 'supervisor.json'), '{"pid": ');
    expect(readSupervisor(dir)).toEqual({ running: false, why: 'supervisor.json is not JSON' });
    writeFileSync(path.join(dir, 'supervisor.json'), '{"pid": "12"}');
    expect(readSupervisor(dir)).toEqual({ running: false, why: 'supervisor.json has no pid' });
  });
});

describe('cost', () => {
  it('unknown (—) while no session has one; the sum of those that do', () => {
    const { state } = authLog();
    expect(totalCost(state)).toBeNull();
    expect(formatCost(null)).toBe('—');
    (state.sessions['stage-2-api.s1'] as unknown as { cost_usd: number }).cost_usd = 0.125;
    (state.sessions['stage-3-frontend.s1'] as unknown as { cost_usd: number }).cost_usd = 2;
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

describe('the human-only guard', () => {
  it('refuses inside an agent session (FLUX_SESSION), not outside', async () => {
    await expect(refuseInsideAgentSession('flux ui', {})).resolves.toBeUndefined();
    const refusal = refuseInsideAgentSession('flux ui', { FLUX_SESSION: 'stage-2-api.s1' });
    await expect(refusal).rejects.toBeInstanceOf(RefusedError);
    await expect(refusal).rejects.toThrow(
      "flux ui must be run by a person: this runs inside Flux's agent session stage-2-api.s1",
    );
  });
});
