/**
 * The Claude Code skill that teaches Claude to drive Flux (`flux skill
 * install` writes it to `.claude/skills/flux/SKILL.md`). Claude Code sends
 * only the front matter's name and description to the model until the skill
 * is used; the body is read then. The body delegates: the `flux` commands do
 * the work, the skill says which to call and how to read their answers.
 */

import { PLAN_FORMAT_GUIDE } from './plan-prompt.js';

export const SKILL_NAME = 'flux';

export const SKILL_DESCRIPTION =
  'Run coding tasks in parallel with Flux. Start an ad hoc task in its own git worktree and ' +
  'tmux pane or session with its own Claude Code agent, list the running tasks, report a ' +
  "task's status, and merge it back and clean it up (flux task run/list/status/cleanup). " +
  'Also writes and checks a Flux plan of stages (flux plan check) and runs it (flux status, ' +
  'flux run); flux doctor says what is missing. Use when the user wants ' +
  'work done in parallel or in the background, or asks about Flux tasks, stages or sessions.';

// Plain YAML scalars: the description has no ': ' or leading quote, so any front matter parser reads it.
export const SKILL_MD = `---
name: ${SKILL_NAME}
description: ${SKILL_DESCRIPTION}
---

# Flux: parallel tasks in worktrees and tmux

You orchestrate; the \`flux\` command-line tool does the work. Call it with the
Bash tool from the repository the user works in, show the user what it
printed (it is written for people), and explain what it means and what can
come next. Never do by hand what a \`flux\` command does: no \`git worktree\`,
\`git merge\` of task branches, or \`tmux\` commands of your own.

If \`flux\` is not found, tell the user to install Flux and put \`flux\` on
their PATH; do not try to replace it.

## Start an ad hoc task

\`\`\`bash
flux task run "<the task, in the user's words, with any detail they gave>"
\`\`\`

Flux picks a task id (a short slug and random hex, e.g. \`oauth-a1b2c3\`),
creates the worktree \`../<project>-<id>\` on the branch \`feature/<id>\`,
and starts a Claude Code agent there with the task and its quality gates
(tests and linters pass, small focused commits, nothing outside the task).
Inside tmux the agent gets a new pane in the current window; otherwise a
detached tmux session \`flux-<project>-<id>\`. The first use in a repository
creates \`.work/\`, where Flux keeps its log; no plan is needed.

Report from its output: the task id, the pane or session, the worktree, the
branch, how to switch to it (\`Ctrl+b q <pane number>\`, or
\`tmux attach -t <session>\`; \`flux attach <id>\` works for both), and that
\`flux task cleanup <id>\` merges it when it is done. Add \`--json\` when you
need the fields rather than the text.

## List tasks

\`\`\`bash
flux task list            # open tasks; --all includes merged ones; --json for fields
\`\`\`

Each task shows its state, whether its agent runs, context use, uptime,
worktree, branch, and the commands to attach, see its status and clean up.

## Status of one task

\`\`\`bash
flux task status <id>
\`\`\`

It shows whether the agent runs, uncommitted files in the worktree, commits
ahead of the base branch, the last 15 lines of the agent's pane, and the
next steps that fit. Summarise it: what the agent is doing or did, whether it
looks finished (state \`completed\` means the agent ran \`flux done\`), and
what the user can do next.

## Clean up (merge) a task

\`\`\`bash
flux task cleanup <id>
\`\`\`

It merges the task's branch into the branch checked out in the main
worktree (\`--no-ff\`), then ends the agent's pane or session, removes the
worktree and deletes the branch. Read its exit code:

- **0**: merged and cleaned up. Say what was merged.
- **64** with "uncommitted changes": the task's worktree has uncommitted
  files. Ask the user which they want, then run it again with the flag:
  \`--commit\` (commit them on the task branch, then merge), \`--stash\`
  (stash them, merge only the commits; \`git stash apply\` brings them back),
  or \`--abort\` (stop; nothing changes). Never pick for the user.
- **8**: the merge conflicts. It was aborted, nothing changed, the worktree
  and branch are kept. Show the conflicting files and the steps Flux printed
  (resolve in the task's worktree with \`git merge <branch>\`, commit, then
  \`flux task cleanup <id>\` again). Offer to help resolve them there.
- **3**: refused (the main worktree has uncommitted changes or a detached
  HEAD, …). Relay the message and its hint.

## Errors from \`flux task run\`

- Exit **5**, "not inside a git repository": ask the user to run it from
  their repository.
- Exit **5**, "tmux is not installed": relay the install instructions
  (\`apt-get install tmux\`, \`brew install tmux\`).
- Exit **3**, a branch, path or tmux session already exists for the task:
  relay the hint (attach to it, see its status, or clean it up), or start it
  under another id with \`--id <id>\`.
- Any failure leaves nothing half-made: Flux undoes what it created.

## A plan of stages

When the repository has a Flux plan (\`flux init <plan>\` was run):

\`\`\`bash
flux status               # progress, every stage and task, what waits on the user
flux run                  # start the ready stages and watch until a person is needed
flux verify <stage>       # review a completed stage: approve (merges) or reject
flux attach <stage-or-task>
\`\`\`

\`flux run\` keeps running while agents work; run it only when the user asks,
and prefer \`flux status\` to report progress. Never approve, reject or merge
a stage without the user's say-so.

## Write a plan

When the user wants a larger change split into stages that run in parallel,
write a Flux plan: study the code first, agree on the stages with the user,
then write \`doc/plans/PLAN-<slug>.md\` (a short slug of the goal) in the
format below, and check it:

\`\`\`bash
flux plan check doc/plans/PLAN-<slug>.md     # --json for fields
\`\`\`

Exit **2** is an error \`flux init\` would refuse too (the file, line, stage
and field are named, with a hint): fix it and check again. Exit **0** is a
valid plan; weigh its warnings (parallel stages that may change the same
files, stages without acceptance commands or files, a glob that looks like a
typo, an acceptance program that is not installed) and fix what the user
agrees with. Then tell the user the next step it prints,
\`flux init doc/plans/PLAN-<slug>.md\`; do not run \`flux init\` yourself. (From
a terminal, \`flux plan new "<goal>"\` starts Claude Code to do the same.)

${PLAN_FORMAT_GUIDE}

## When something does not work

\`\`\`bash
flux doctor               # git, tmux, claude (installed, key or login, trust), .work/
\`\`\`

Exit 1 means something is to fix: relay each ✗ line and its fix.

## Good manners

- One task per request; several independent requests can be several tasks.
- Describe the task fully in the description: the agent sees only that.
- Do not edit files in a task's worktree yourself while its agent works.
`;
