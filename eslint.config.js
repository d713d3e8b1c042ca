import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.work/**', '.worktrees/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Small files split by concern (docs/architecture.md): a source file past
  // 300 lines of code (blank lines and comments not counted) is split.
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
    },
  },
  // The layers (docs/architecture.md), enforced. Paths are matched as written
  // (relative), so each rule names the folder it guards. A file gets the
  // rule of the last block that matches it, so blocks that narrow a folder
  // repeat what they keep of the wider one.
  {
    files: ['src/machines/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!xstate$|\\./|\\.\\./(log/events|plan/types|errors)\\.js$)',
              message:
                'The machines are pure lifecycle definitions: they import only xstate, each other, the error types (src/errors.ts) and types of events and plans, so the hook path can fold the log without anything else.',
            },
            {
              regex: '^\\.\\./(log/events|plan/types)\\.js$',
              allowTypeImports: true,
              message: 'The machines take only types from the event schemas and the plan: use `import type`.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/plan/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(log|engine|effects|cli|machines|hooks|agents)(/|\\.js$)',
              message:
                'The plan parser stands alone (a document in, a validated Plan out): shared names live in src/ids.ts, src/paths.ts and src/errors.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/log/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(engine|effects|cli|plan|machines|hooks|agents)(/|\\.js$)',
              allowTypeImports: true,
              message:
                'The log sits below every other layer (schemas, append, read): it may take types from above, never code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/effects/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(engine|cli|hooks)(/|\\.js$)',
              message:
                'Effects do what they are asked (git, tmux, acceptance, files) and know nothing of the state or the commands: take plain data and the Git/Tmux objects as parameters.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+effects(/|\\.js$)',
              allowTypeImports: true,
              message:
                'Engine code decides; only the runtime (src/engine/runtime.ts, src/engine/runtime/) performs effects. Take the types here, and do the effect in the runtime (or pass what it found in).',
            },
            {
              regex: '^(\\.\\./)+(cli|hooks)(/|\\.js$)',
              message:
                'The engine is below the command line and the hooks: they call it, never the other way round.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/runtime.ts', 'src/engine/runtime/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(cli|hooks)(/|\\.js$)',
              message:
                'The engine is below the command line and the hooks: they call it, never the other way round.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/engine.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./effects/(?!projections\\.js$)',
              allowTypeImports: true,
              message:
                'The engine writes its projections (src/effects/projections.ts) after each append, and performs no other effect: those belong to the runtime.',
            },
            {
              regex: '^\\.\\./(cli|hooks)(/|\\.js$)',
              message:
                'The engine is below the command line and the hooks: they call it, never the other way round.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+effects(/|\\.js$)',
              allowTypeImports: true,
              message:
                'Commands reach git, tmux and acceptance only through the engine: the Runtime (src/engine/runtime.ts) or, without a workspace, src/engine/runtime/standalone.ts. Types are fine.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/cli/commands/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+effects(/|\\.js$)',
              allowTypeImports: true,
              message:
                'Commands reach git, tmux and acceptance only through the engine: the Runtime (src/engine/runtime.ts) or, without a workspace, src/engine/runtime/standalone.ts. Types are fine.',
            },
            {
              regex: '^\\./|^\\.\\./commands/',
              message:
                'A command never imports another command (each loads alone, lazily): move what they share into a module of src/cli/ (e.g. merge-report.ts, init-plan.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'performance',
          'URL',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'Buffer',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
