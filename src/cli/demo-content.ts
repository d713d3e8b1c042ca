/**
 * What `flux demo` builds: a small project with a diamond plan (one stage,
 * two in parallel, one after both) and a script per stage for the simulated
 * agent. One stage fills its context and hands off to a fresh session; one
 * fails its acceptance once and fixes it; the two parallel stages both write
 * CHANGELOG.md, so the second to land conflicts and a resolver session keeps
 * both entries; every merge is checked by the plan-level acceptance first.
 * So the demo shows the whole loop.
 */
import type { SimScript } from '../agents/sim/script.js';

export const DEMO_PLAN_PATH = 'doc/plans/PLAN-greeter.md';

export const DEMO_PLAN = `# PLAN: A greeter library

## Overview

A tiny library that greets people, built in four stages by four agents.

## Stages

1. The core greeting function.
2. A command-line front end and a formal variant, in parallel.
3. An end-to-end check over both.

---

<!-- FLUX METADATA -->

\`\`\`yaml
flux:
  version: 1
  # Run on every merged tree before main moves (the merge queue).
  acceptance:
    - "sh -n src/greet.sh"
  stages:
    - id: core
      name: "Core greeting"
      description: "Write greet(name) in src/greet.sh"
      dependencies: []
      acceptance:
        - "sh src/greet.sh World | grep -q 'Hello, World'"
      files:
        - "src/greet.sh"
      gate: auto

    - id: cli
      name: "Command-line front end"
      description: "bin/greet calls the core function"
      dependencies: [core]
      parallel_group: "front-ends"
      acceptance:
        - "sh bin/greet Ada | grep -q 'Hello, Ada'"
      files:
        - "bin/*"
        - "CHANGELOG.md"
      gate: auto

    - id: formal
      name: "Formal greetings"
      description: "src/formal.sh greets formally"
      dependencies: [core]
      parallel_group: "front-ends"
      acceptance:
        - "sh src/formal.sh Grace | grep -q 'Good day, Grace'"
      files:
        - "src/formal.sh"
        - "CHANGELOG.md"
      gate: auto

    - id: e2e
      name: "End-to-end check"
      description: "tests/e2e.sh runs both front ends"
      dependencies: [cli, formal]
      acceptance:
        - "sh tests/e2e.sh"
      files:
        - "tests/*.sh"
      gate: auto
\`\`\`

<!-- END FLUX METADATA -->
`;

export const DEMO_README = `# greeter

A throw-away repository made by \`flux demo\`. Look around:

- \`git log --graph --oneline\`: each stage merged as its own branch
- \`CHANGELOG.md\`: two stages wrote it; the second's resolver session kept both entries
- \`flux status\`, \`flux graph show\`, \`flux replay\`
- \`.work/stages/*.md\`, \`.work/sessions/*.md\`, \`.work/handoffs/\`
`;

export const DEMO_SCRIPTS: Record<string, SimScript> = {
  core: {
    turns: [
      {
        say: 'Writing greet().',
        context: 18,
        actions: [
          { write: { path: 'src/greet.sh', content: '#!/bin/sh\necho "Hello, $1!"\n' } },
          { commit: 'Add greet()' },
        ],
      },
      { say: 'Declaring the stage done.', context: 31, actions: [{ flux: ['done'] }] },
    ],
  },
  cli: {
    turns: [
      {
        say: 'Writing bin/greet, but calling the wrong script.',
        context: 22,
        actions: [
          { write: { path: 'bin/greet', content: '#!/bin/sh\nsh src/hello.sh "$1"\n' } },
          { write: { path: 'CHANGELOG.md', content: '# Changes\n\n- bin/greet: greet from the shell\n' } },
          { commit: 'Add bin/greet' },
          { flux: ['done'] },
        ],
      },
      {
        say: 'The acceptance failed: fixing the script path.',
        context: 40,
        actions: [
          { write: { path: 'bin/greet', content: '#!/bin/sh\nsh src/greet.sh "$1"\n' } },
          { commit: 'Call src/greet.sh' },
          { flux: ['done'] },
        ],
      },
    ],
  },
  formal: {
    turns: [
      {
        say: 'Reading the core and planning the formal variant.',
        context: 45,
        actions: [{ run: 'cat src/greet.sh' }],
      },
      {
        say: 'A long exploration fills the context.',
        context: 79,
        actions: [
          { write: { path: 'src/formal.sh', content: '#!/bin/sh\n# TODO: the greeting\n' } },
          { commit: 'Start formal.sh' },
        ],
      },
      {
        say: 'Continuing from the handoff: writing the greeting.',
        context: 12,
        actions: [
          { write: { path: 'src/formal.sh', content: '#!/bin/sh\necho "Good day, $1."\n' } },
          { write: { path: 'CHANGELOG.md', content: '# Changes\n\n- src/formal.sh: formal greetings\n' } },
          { commit: 'Formal greeting' },
          { flux: ['done'] },
        ],
      },
    ],
  },
  e2e: {
    turns: [
      {
        say: 'Writing the end-to-end check.',
        context: 20,
        actions: [
          {
            write: {
              path: 'tests/e2e.sh',
              content:
                '#!/bin/sh\nset -e\nsh bin/greet Ada | grep -q "Hello, Ada"\nsh src/formal.sh Ada | grep -q "Good day, Ada"\necho ok\n',
            },
          },
          { commit: 'Add the end-to-end check' },
          { flux: ['done'] },
        ],
      },
    ],
  },
};
