/**
 * `flux ui` refusing what it cannot do, before it takes the screen: no
 * workspace (6), no terminal (3), an agent session asking (3). Nothing is
 * recorded. (The dashboard itself: dashboard.test.tsx and e2e.test.ts.)
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos, tempRepoWithPlan, type PlanRepo } from '../../helpers/cli.js';

let repo: PlanRepo;
beforeAll(async () => {
  repo = await tempRepoWithPlan();
});
afterAll(cleanupTempRepos);

describe('flux ui', () => {
  it('without a workspace: exit 6, with the hint to init', async () => {
    const result = await repo.flux(['ui']);
    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain('hint: run `flux init <plan-path>` first');
  });

  it('without a terminal: exit 3, pointing at flux status; nothing recorded', async () => {
    expect((await repo.flux(['init', repo.planPath])).exitCode).toBe(0);
    const before = await repo.events();
    const result = await repo.flux(['ui']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toBe(
      'error: flux ui needs a terminal (stdin and stdout are not one)\n' +
        'hint: `flux status` prints the same overview once; `flux status --json` for scripts\n',
    );
    expect(result.stdout).toBe('');
    expect(await repo.events()).toEqual(before);
  });

  it('inside an agent session: exit 3, a person must run it, before the terminal is looked at', async () => {
    // A session of the log (started by hand, so no tmux), and a process that says it runs in it.
    const config = path.join(repo.root, '.work', 'config.toml');
    await writeFile(config, (await readFile(config, 'utf8')).replace(/^agent = "claude"$/m, 'agent = "sim"'));
    const manual = await repo.flux(['run', '--manual', '--stage', 'stage-1-models']);
    expect(manual.exitCode, manual.stderr).toBe(0);
    const session = (await repo.events()).find((e) => e.type === 'session.started')?.session;
    expect(session).toBe('stage-1-models.s1');
    const before = await repo.events();
    const result = await repo.flux(['ui'], { env: { FLUX_SESSION: 'stage-1-models.s1' } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(
      "error: flux ui must be run by a person: this runs inside Flux's agent session stage-1-models.s1",
    );
    expect(await repo.events()).toEqual(before);
  });

  it('--help lists its keys and exit codes', async () => {
    const result = await repo.flux(['ui', '--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Usage: flux ui');
    expect(result.stdout).toMatch(/Keys: ↑\/↓ select, enter attach, a\/d allow\/deny/);
    expect(result.stdout).toMatch(/Exit codes:\n {2}0 +quit \(q\)\n/);
    expect(result.stdout).toMatch(/^ {2}3 +no terminal, or inside an agent session$/m);
  });
});
