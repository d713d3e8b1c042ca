/** `flux plan check`'s warnings, with given repository files and programs. */
import { describe, expect, it } from 'vitest';
import { globTypo, nearestName, RepoTree, typoDistance } from '../../src/plan/typo.js';
import { commandProgram, planWarnings } from '../../src/plan/warnings.js';
import { planOf, stage } from './helpers.js';

const FILES = [
  'README.md',
  'src/models/user.rs',
  'src/models/session.rs',
  'src/components/Login.tsx',
  'package.json',
];
const repo = (programs: string[] = ['npm', 'cargo', 'sh']) => ({
  files: FILES,
  programFound: (p: string) => programs.includes(p),
});
const kinds = (warnings: { kind: string }[]) => warnings.map((w) => w.kind);

describe('glob typos', () => {
  const tree = new RepoTree(FILES);

  it('a swapped, missing or extra letter in a folder or file name, or an extension', () => {
    expect(globTypo('scr/models/*.rs', tree)).toBe('src/models/*.rs');
    expect(globTypo('src/modles/**', tree)).toBe('src/models/**');
    expect(globTypo('src/components/Logn.tsx', tree)).toBe('src/components/Login.tsx');
    expect(globTypo('src/models/*.rss', tree)).toBe('src/models/*.rs');
    expect(globTypo('READMEE.md', tree)).toBe('README.md');
    expect(globTypo('{scr,lib}/models/*.rs', tree)).toBe('src/models/*.rs');
  });

  it('a glob that matches, or names a folder the stage creates, is no typo', () => {
    expect(globTypo('src/models/*.rs', tree)).toBeUndefined();
    expect(globTypo('src/models', tree)).toBeUndefined();
    expect(globTypo('src/api/*.rs', tree)).toBeUndefined();
    expect(globTypo('docs/**', tree)).toBeUndefined();
    expect(globTypo('src/models/*.py', tree)).toBeUndefined();
  });

  it('short names take one edit, longer ones two; a swap is one', () => {
    expect(typoDistance('scr', 'src')).toBe(1);
    expect(nearestName('db', ['ui'])).toBeUndefined();
    expect(nearestName('modls', ['models', 'mods'])).toBe('models');
    expect(nearestName('componets', ['components'])).toBe('components');
  });
});

describe('the program of an acceptance command', () => {
  it('the first word, after assignments and quotes', () => {
    expect(commandProgram('cargo test --lib models')).toBe('cargo');
    expect(commandProgram('CI=1 FOO=bar npm test')).toBe('npm');
    expect(commandProgram('"pytest" -q')).toBe('pytest');
    expect(commandProgram('/usr/bin/make check')).toBe('/usr/bin/make');
  });

  it('none for shell builtins and paths relative to the worktree', () => {
    for (const command of [
      'cd web && npm test',
      'test -f x',
      '[ -f x ]',
      './gradlew check',
      'scripts/check.sh',
      'true',
      '$TOOL run',
    ])
      expect(commandProgram(command)).toBeUndefined();
  });
});

describe('planWarnings', () => {
  it('a clean plan has none', () => {
    const plan = planOf([
      stage('models', { acceptance: ['cargo test'], files: ['src/models/*.rs'] }),
      stage('ui', { dependencies: ['models'], acceptance: ['npm test'], files: ['src/components/*.tsx'] }),
    ]);
    expect(planWarnings(plan, repo())).toEqual([]);
  });

  it('parallel stages with overlapping files name both stages and the globs', () => {
    const plan = planOf([
      stage('a', { acceptance: ['npm test'], files: ['src/**'] }),
      stage('b', { acceptance: ['npm test'], files: ['src/models/*.rs'] }),
      stage('c', { dependencies: ['a', 'b'], acceptance: ['npm test'], files: ['src/**'] }),
    ]);
    const warnings = planWarnings(plan, repo());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'overlap', stage: 'a', other: 'b' });
    expect(warnings[0]!.message).toBe(
      'a and b can run in parallel and both may change src/** ~ src/models/*.rs: their merges may conflict',
    );
  });

  it('no acceptance, no files, a typo and a missing program, each once', () => {
    const plan = planOf([
      stage('lazy'),
      stage('typo', { acceptance: ['pytest -q', 'pytest -x', './run-checks'], files: ['scr/models/*.rs'] }),
    ]);
    const warnings = planWarnings(plan, repo());
    expect(kinds(warnings)).toEqual(['no-acceptance', 'no-files', 'glob-typo', 'missing-program']);
    expect(warnings[2]!.message).toBe(
      "stage 'typo': files pattern `scr/models/*.rs` matches nothing in the repository (did you mean `src/models/*.rs`?)",
    );
    expect(warnings[3]!.message).toBe(
      "stage 'typo': acceptance command `pytest -q` runs `pytest`, which is not installed (or not on PATH)",
    );
  });
});
