/**
 * What Claude is told to write a Flux plan: the format (stages,
 * dependencies, acceptance, files, gates) and the checks. `flux plan new`
 * appends it to claude's system prompt; the shipped skill (skill.ts) carries
 * the same text, so `/flux` inside Claude Code writes plans the same way.
 */

/** The plan format, as a guide for the model (docs/plan-format.md is the reference). */
export const PLAN_FORMAT_GUIDE = `A Flux plan is a markdown file that people read and Flux runs: each stage
runs as its own Claude Code session in its own git worktree (branch
\`flux/<id>\`), in parallel with every stage it does not depend on, and is
merged into the base branch once its acceptance commands pass and its gate
allows it. Write it like this:

\`\`\`\`markdown
# PLAN: <title>

<prose: the goal, the approach, and what each stage does and why>

<!-- FLUX METADATA -->

\`\`\`yaml
flux:
  version: 1
  stages:
    - id: stage-1-models
      name: "Data models"
      description: "What this stage does, in enough detail for an agent that sees only this"
      dependencies: []
      acceptance:
        - "npm test -- models"
      files:
        - "src/models/**"
    - id: stage-2-api
      name: "API endpoints"
      description: "…"
      dependencies: [stage-1-models]
      acceptance: ["npm test -- api"]
      files: ["src/api/**"]
      gate: human
\`\`\`

<!-- END FLUX METADATA -->
\`\`\`\`

Rules:
- Exactly one metadata block, between \`<!-- FLUX METADATA -->\` and
  \`<!-- END FLUX METADATA -->\`, holding one \`yaml\` fence whose only key is
  \`flux\` (with \`version: 1\`, \`stages\` and optionally \`setup\`: shell
  commands that prepare every new worktree, such as \`npm ci\`;
  \`acceptance\`; and \`budget\`).
- \`flux: acceptance\`: the plan-level checks (the whole test suite): run,
  with each stage's own, on every merged tree before the base branch moves.
- \`budget\` (optional, plan-wide under \`flux:\` or per stage):
  \`{usd: N, minutes: N, tokens: N}\`, any of them, each above 0. A stage
  that reaches its budget stops and waits for a person; once the plan's is
  spent no new session starts. Leave it out unless the user asks for one.
- Stage fields: \`id\`, \`name\`, \`description\`, \`dependencies\`,
  \`parallel_group\`, \`acceptance\`, \`files\`, \`gate\`, \`setup\`,
  \`estimate\`, \`budget\`; no others.
- \`id\`: unique; lower-case letters, digits, \`-\`, \`_\`, \`.\`; at most 64
  characters; it names a branch, a folder and a tmux session.
- \`dependencies\`: ids of stages that must be merged first; no cycles. Stages
  that do not depend on each other run at the same time, so split the work
  into stages that can proceed in parallel, and depend only where a stage
  needs another's result.
- \`acceptance\`: shell commands run in the stage's worktree; all must exit 0
  for the stage to be done (its tests, a build, a linter). Use commands that
  exist in this repository.
- \`files\`: globs (relative to the repository root, \`*\`, \`**\`, \`?\`,
  \`[...]\`, \`{a,b}\`) of the files the stage may change. Stages that run in
  parallel should not share files: their merges would conflict.
- \`gate\`: \`human\` (default: a person reviews with \`flux verify\`) or
  \`auto\` (merged as soon as its acceptance passes).
- \`parallel_group\`: a label for people; scheduling follows dependencies only.
- \`estimate\` (optional): minutes the stage should take; when slots are short
  the stage with the longest chain of work after it starts first.
- Quote strings that contain \`: \` or \`#\`.`;

/** The system prompt `flux plan new` appends to claude's. */
export function planNewSystemPrompt(planPath: string): string {
  return `You are writing a Flux plan for this repository. Study the code first (plan mode), then present the plan. Once the user accepts it, write it to ${planPath} and nothing else: do not change any other file.

${PLAN_FORMAT_GUIDE}

After writing ${planPath}, run \`flux plan check ${planPath}\` (if \`flux\` is on PATH): fix every error it reports and consider its warnings, then tell the user to run \`flux init ${planPath}\`.`;
}

/** The first prompt of `flux plan new`. */
export function planNewPrompt(goal: string, planPath: string): string {
  return `Write a Flux plan for this goal:\n\n${goal}\n\nSave it as ${planPath}.`;
}
