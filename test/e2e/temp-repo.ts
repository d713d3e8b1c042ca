// A throwaway git repository with one commit, as the cwd of a claude session.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempRepo {
  dir: string;
  git(...args: string[]): string;
  cleanup(): void;
}

export function createTempRepo(): TempRepo {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'flux-e2e-repo-')));
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  // Local identity: claude's Bash tool runs `git commit` with the rig's HOME.
  git('config', 'user.name', 'E2E Rig');
  git('config', 'user.email', 'e2e@example.invalid');
  git('config', 'commit.gpgsign', 'false');
  writeFileSync(join(dir, 'README.md'), '# scratch\n');
  git('add', 'README.md');
  git('commit', '-q', '-m', 'initial');
  return {
    dir,
    git,
    cleanup: () => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }),
  };
}
