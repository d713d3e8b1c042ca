/**
 * The guard's own contract (src/cli/human-only.ts): `humanActor()` gives
 * `by: "human"` only to a process that ran the check, and the check costs
 * nothing where there is no workspace. Ancestry itself is covered by
 * test/effects/agent-ancestry.test.ts and the CLI tests in test/cli/human/.
 */
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { humanActor, refuseInsideAgent } from '../../src/cli/human-only.js';
import { tempDir } from '../helpers/temp-repo.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the human-only guard', () => {
  it('humanActor refuses before the check has run: a human decision never goes unchecked', () => {
    expect(() => humanActor()).toThrow(/without the human-only check/);
  });

  it('passes where there is no workspace (the command itself reports that), and then gives by: human', async () => {
    const dir = await tempDir('flux-guard-');
    dirs.push(dir);
    await expect(refuseInsideAgent('flux verify', dir)).resolves.toBeUndefined();
    expect(humanActor()).toBe('human');
  });
});
