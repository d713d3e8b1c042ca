import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runSimAgent } from '../../../src/agents/sim/main.js';
import {
  defaultSimScript,
  loadSimScript,
  parseSimScript,
  pathForGlob,
  simScriptSchema,
} from '../../../src/agents/sim/script.js';
import { ConfigError, ExitCode } from '../../../src/errors.js';
import { matchesAny } from '../../../src/plan/glob.js';
import type { StageDef } from '../../../src/plan/types.js';

function stage(id: string, files: string[], extra: Partial<StageDef> = {}): StageDef {
  return {
    id,
    name: `Stage ${id}`,
    description: `Build ${id}.`,
    dependencies: [],
    acceptance: [],
    files,
    gate: 'human',
    ...extra,
  };
}

function errorOf(raw: unknown): string {
  try {
    parseSimScript(raw, 'sim/s1.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(ExitCode.invalidInput);
    return (error as Error).message;
  }
  throw new Error('expected the script to be rejected');
}

describe('script validation', () => {
  test('accepts every action and fills the defaults', () => {
    const script = parseSimScript(
      {
        turns: [
          {
            say: 'work',
            context: 30,
            actions: [
              { write: { path: 'a.txt', content: 'a\n' } },
              { append: { path: 'a.txt', content: 'b\n' } },
              { run: 'ls' },
              { commit: 'msg' },
              { flux: ['done'] },
              { sleep: 100 },
              { permission: { tool: 'Bash', input: { command: 'curl example.invalid' } } },
              { exit: 0 },
              { crash: true },
            ],
          },
          {},
        ],
      },
      'x.json',
    );
    expect(script.turns).toHaveLength(2);
    expect(script.turns[1]).toEqual({ say: '', actions: [] });
    expect(script.turns[0]!.actions[6]).toEqual({
      permission: { tool: 'Bash', input: { command: 'curl example.invalid' } },
    });
  });

  test('errors name the file and the field', () => {
    expect(errorOf({ turns: [{ actions: [{ write: { path: '/etc/passwd', content: '' } }] }] })).toBe(
      'sim/s1.json: turns[0].actions[0].write.path: must be relative to the worktree',
    );
    expect(errorOf({ turns: [{}, { actions: [{ write: { path: 'a/../../b', content: '' } }] }] })).toMatch(
      /^sim\/s1\.json: turns\[1\]\.actions\[0\]\.write\.path: must stay inside the worktree/,
    );
    expect(errorOf({ turns: [{ context: 140 }] })).toMatch(/^sim\/s1\.json: turns\[0\]\.context: /);
    expect(errorOf({ turns: [{ context: 12.5 }] })).toMatch(/^sim\/s1\.json: turns\[0\]\.context: /);
    expect(errorOf({ turns: [{ actions: [{ flux: [] }] }] })).toMatch(
      /^sim\/s1\.json: turns\[0\]\.actions\[0\]\.flux: /,
    );
    expect(errorOf({})).toMatch(/^sim\/s1\.json: turns: /);
  });

  test('an action has exactly one known key', () => {
    expect(errorOf({ turns: [{ actions: [{ wrte: { path: 'a', content: '' } }] }] })).toBe(
      "sim/s1.json: turns[0].actions[0]: unknown key 'wrte'",
    );
    expect(errorOf({ turns: [{ actions: [{ run: 'ls', commit: 'x' }] }] })).toMatch(
      /^sim\/s1\.json: turns\[0\]\.actions\[0\]: an action has exactly one of the keys write, append, run/,
    );
    expect(errorOf({ turns: [{ actions: [{}] }] })).toMatch(/an action has exactly one of the keys/);
    expect(errorOf({ turns: [{ sey: 'hi' }] })).toBe("sim/s1.json: turns[0]: unknown key 'sey'");
  });

  describe('loading a file', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'flux-sim-script-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    test('reads and validates JSON', async () => {
      const file = path.join(dir, 'ok.json');
      await writeFile(file, JSON.stringify({ turns: [{ say: 'hi', context: 5 }] }));
      expect((await loadSimScript(file)).turns[0]).toEqual({ say: 'hi', context: 5, actions: [] });
    });

    test('the agent refuses a bad script, prompt file or FLUX_COMMAND before it starts', async () => {
      const bad = path.join(dir, 'bad-field.json');
      const good = path.join(dir, 'good.json');
      const prompt = path.join(dir, 'prompt.md');
      await writeFile(bad, JSON.stringify({ turns: [{ actions: [{ sleep: -1 }] }] }));
      await writeFile(good, JSON.stringify({ turns: [] }));
      await writeFile(prompt, 'go\n');
      const env = { FLUX_COMMAND: '["node"]' };
      await expect(runSimAgent({ script: bad, promptFile: prompt, env })).rejects.toThrow(
        `${bad}: turns[0].actions[0].sleep: `,
      );
      await expect(runSimAgent({ script: good, promptFile: path.join(dir, 'none.md'), env })).rejects.toThrow(
        /cannot read the prompt file .*none\.md: ENOENT/,
      );
      await expect(
        runSimAgent({ script: good, promptFile: prompt, env: { FLUX_COMMAND: 'flux done' } }),
      ).rejects.toThrow(/FLUX_COMMAND must be a JSON array of strings/);
    });

    test('says which file is not JSON or missing', async () => {
      const file = path.join(dir, 'bad.json');
      await writeFile(file, '{"turns": [');
      await expect(loadSimScript(file)).rejects.toThrow(`${file}: not valid JSON`);
      await expect(loadSimScript(path.join(dir, 'none.json'))).rejects.toThrow(
        /cannot read the sim script .*none\.json: ENOENT/,
      );
    });
  });
});

describe('pathForGlob', () => {
  test.each([
    ['src/models/*.rs', 'src/models/api.rs'],
    ['src/**/*.ts', 'src/api/api.ts'],
    ['docs/**', 'docs/api/api.md'],
    ['**/*.py', 'api/api.py'],
    ['test/test_*.py', 'test/test_api.py'],
    ['src/{models,views}/*.go', 'src/models/api.go'],
    ['lib/v?/[a-c]*.js', 'lib/vx/aapi.js'],
    ['lib/[!x]*.js', 'lib/aapi.js'],
    ['README.md', 'README.md'],
  ])('%s → %s', (glob, expected) => {
    expect(pathForGlob(glob, 'api')).toBe(expected);
    expect(matchesAny(expected, [glob])).toBe(true);
  });
});

describe('defaultSimScript', () => {
  test('writes one file per glob, commits, then runs flux done, context rising', () => {
    const script = defaultSimScript(stage('stage-2-api', ['src/models/*.rs', 'src/**/*.ts']));
    expect(simScriptSchema.parse(script)).toEqual(script);
    expect(script.turns.map((turn) => turn.context)).toEqual([12, 25, 38]);
    const actions = script.turns.flatMap((turn) => turn.actions);
    expect(actions.map((action) => Object.keys(action)[0])).toEqual([
      'write',
      'write',
      'run',
      'commit',
      'flux',
    ]);
    expect(actions[0]).toMatchObject({ write: { path: 'src/models/stage-2-api.rs' } });
    expect(actions[1]).toMatchObject({ write: { path: 'src/stage-2-api/stage-2-api.ts' } });
    expect(actions[3]).toEqual({ commit: 'stage-2-api: Stage stage-2-api' });
    expect(actions[4]).toEqual({ flux: ['done'] });
  });

  test('a stage without files writes notes/<id>.md', () => {
    const script = defaultSimScript(stage('docs-only', []));
    const write = script.turns[0]!.actions[0];
    expect(write).toMatchObject({ write: { path: 'notes/docs-only.md' } });
    expect(write && 'write' in write ? write.write.content : '').toContain('# Stage docs-only');
  });

  test('a literal file gets a line appended; formats a line would break are left alone', () => {
    const script = defaultSimScript(stage('s1', ['src/main.rs', 'package.json']));
    expect(script.turns[0]!.actions).toEqual([
      { append: { path: 'src/main.rs', content: '// Stage s1: updated by stage s1.\n' } },
    ]);
    expect(defaultSimScript(stage('s2', ['package.json'])).turns[0]!.actions).toMatchObject([
      { write: { path: 'notes/s2.md' } },
    ]);
  });

  test('new files are valid for their language where that is cheap', () => {
    const [go, json, py] = defaultSimScript(stage('s1', ['pkg/store/*.go', 'config/*.json', 'app/*.py']))
      .turns[0]!.actions;
    expect(go && 'write' in go ? go.write.content : '').toMatch(/\npackage store\n$/);
    expect(JSON.parse(json && 'write' in json ? json.write.content : '')).toEqual({
      stage: 's1',
      name: 'Stage s1',
    });
    expect(py && 'write' in py ? py.write.content : '').toMatch(/^# Stage s1 \(stage s1\)\n/);
  });

  test('two globs naming the same file write it once', () => {
    const script = defaultSimScript(stage('s1', ['src/*.ts', 'src/{*.ts,*.tsx}']));
    expect(script.turns[0]!.actions).toHaveLength(1);
  });
});
