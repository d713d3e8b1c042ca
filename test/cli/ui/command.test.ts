/**
 * `flux ui` refusing what it cannot do, before it takes the screen: no
 * workspace (6), no terminal (3), an agent session asking (3). Nothing is
 * recorded. (The dashboard itself: dashboard.test.tsx and e2e.test.ts.)
 */
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

  it('inside an agent session: exit 3, a person must run it', async () => {
    const result = await repo.flux(['ui'], { env: { FLUX_SESSION: 'stage-1-models.s1' } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(
      "error: flux ui must be run by a person: this runs inside Flux's agent session stage-1-models.s1",
    );
  });

  it('--help lists its keys and exit codes', async () => {
    const result = await repo.flux(['ui', '--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Usage: flux ui');
    expect(result.stdout).toMatch(/Keys: ↑\/↓ select, enter attach, a\/d allow\/deny/);
    expect(result.stdout).toMatch(
      /Exit codes: 0 quit, 2 invalid config, 3 no terminal or inside an agent session/,
    );
  });
});
