/**
 * Acceptance commands that leave processes behind, through the real CLI: a
 * detached child (`setsid`) holding the output pipe must hold neither the
 * agent's `flux done` nor the person's `flux verify`, and must not outlive
 * them. `acceptance_timeout = 4`, as a user would set it.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/wait.js';
import { doneScript, makeRig, plan, type Rig } from './harness.js';

/** Where the acceptance command writes its detached child's pid (outside the repository, which must stay clean). */
const pidDir = mkdtempSync(path.join(os.tmpdir(), 'flux-leftover-'));
const pidFile = path.join(pidDir, 'daemon.pid');

/**
 * `setsid sleep 99 & true`, made deterministic: the command exits only once
 * its child has left the process group (a new session), and the child keeps
 * the output pipe open.
 */
const LEAVES_A_DAEMON = `rm -f '${pidFile}'; setsid sh -c 'echo $$ > "$0"; exec sleep 99' '${pidFile}' & while [ ! -s '${pidFile}' ]; do sleep 0.05; done`;

const PLAN = plan(
  'Leftovers',
  `    - id: daemon
      name: "Daemon"
      description: "Starts a detached process in its acceptance"
      dependencies: []
      acceptance:
        - ${JSON.stringify(LEAVES_A_DAEMON)}
      files:
        - "src/**"`,
);

let rig: Rig;

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Live processes started by an acceptance command (they carry its marker) inside the rig's repository. */
function acceptanceLeftovers(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
        if (!environ.some((entry) => entry.startsWith('FLUX_ACCEPTANCE_RUN='))) return false;
        return isAlive(pid) && readlinkSync(`/proc/${pid}/cwd`).startsWith(rig.root);
      } catch {
        return false;
      }
    });
}

async function expectNoLeftovers(): Promise<void> {
  const daemon = Number(readFileSync(pidFile, 'utf8'));
  expect(daemon).toBeGreaterThan(1);
  const alive = (): number[] => [
    ...new Set([...acceptanceLeftovers(), ...(isAlive(daemon) ? [daemon] : [])]),
  ];
  await waitFor(() => (alive().length === 0 ? true : undefined), {
    timeoutMs: 3000,
    what: 'no acceptance leftovers',
  }).catch((error: Error) => {
    throw new Error(`${error.message}: still running: ${alive().join(', ')}`);
  });
}

beforeAll(async () => {
  rig = await makeRig(PLAN, { daemon: doneScript('src/daemon.txt', 'daemon') });
  const config = path.join(rig.root, '.work', 'config.toml');
  const text = readFileSync(config, 'utf8');
  expect(text).toMatch(/^acceptance_timeout = \d+$/m);
  writeFileSync(config, text.replace(/^acceptance_timeout = \d+$/m, 'acceptance_timeout = 4'));
});

afterAll(async () => {
  await rig?.cleanup();
  rmSync(pidDir, { recursive: true, force: true });
  await cleanupTempRepos();
});

describe('acceptance commands that leave a detached child behind', () => {
  it("the agent's flux done returns as the command exits, recording it passed, not timed out", async () => {
    const run = await rig.run();
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await rig.stageStatus('daemon')).toBe('completed');
    const completed = rig.events().find((event) => event.type === 'stage.completed');
    const [result] = completed?.results as { exit_code: number; timed_out: boolean; duration_ms: number }[];
    expect(result).toMatchObject({ exit_code: 0, timed_out: false });
    expect(result!.duration_ms).toBeLessThan(4000);
    await expectNoLeftovers();
  });

  it('flux verify runs them again, returns promptly, and nothing they started survives', async () => {
    const started = Date.now();
    const verify = await rig.flux(['verify', 'daemon', '--approve']);
    expect(verify.exitCode, verify.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await rig.stageStatus('daemon')).toBe('merged');
    await expectNoLeftovers();
  });
});
