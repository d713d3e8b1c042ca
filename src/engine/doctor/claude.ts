/**
 * The agent's checks (pure): its program and version, a key or a login,
 * onboarding and folder trust in Claude Code's config, and what
 * `run.handoff_threshold` means for the model's window. The facts are
 * gathered by src/engine/runtime/claude-facts.ts; where Claude Code keeps
 * each of them is in docs/doctor.md.
 */
import path from 'node:path';
import type { AgentFacts, Check, ClaudeConfigJson, ClaudeFacts } from './types.js';

/** The Claude Code versions Flux's e2e suite passes with (docs/claude-code.md#versions). */
export const TESTED_CLAUDE = { pinned: '2.1.197', newest: '2.1.329' } as const;

const INSTALL_CLAUDE = 'npm install -g @anthropic-ai/claude-code';

export const MISSING_CLAUDE_HINT = `install Claude Code (${INSTALL_CLAUDE}), or set claude.command in .work/config.toml; \`agent = "sim"\` runs the simulated agent`;

/** `2.1.197 (Claude Code)` → [2, 1, 197]; null when there is no version in it. */
export function parseClaudeVersion(output: string): [number, number, number] | null {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(output);
  return match === null ? null : [Number(match[1]), Number(match[2]), Number(match[3])];
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** A path under HOME written with `~`, for messages. */
export function tildePath(file: string, home: string | undefined): string {
  if (home === undefined || home === '' || home === '/') return file;
  return file === home || file.startsWith(`${home}/`) ? `~${file.slice(home.length)}` : file;
}

function programCheck(facts: ClaudeFacts): Check {
  if (facts.path === null)
    return {
      group: 'agent',
      id: 'agent.program',
      status: 'fail',
      summary: `the claude agent's program '${facts.command}' is not installed (or not on PATH)`,
      fix: MISSING_CLAUDE_HINT,
    };
  return { group: 'agent', id: 'agent.program', status: 'ok', summary: `claude found: ${facts.path}` };
}

function versionCheck(facts: ClaudeFacts): Check | undefined {
  const fact = facts.version;
  if (facts.path === null || fact === undefined) return undefined;
  const tested = `tested with ${TESTED_CLAUDE.pinned} to ${TESTED_CLAUDE.newest}`;
  if (!fact.found)
    return {
      group: 'agent',
      id: 'agent.version',
      status: 'fail',
      summary: `\`${facts.command} --version\` failed: ${fact.error}`,
      fix: `reinstall Claude Code (${INSTALL_CLAUDE}@${TESTED_CLAUDE.pinned})`,
    };
  const version = parseClaudeVersion(fact.output);
  const base = { group: 'agent' as const, id: 'agent.version' };
  if (version === null)
    return {
      ...base,
      status: 'warn',
      summary: `claude version unknown ("${fact.output}"); Flux is ${tested}`,
    };
  const shown = version.join('.');
  const pinned = parseClaudeVersion(TESTED_CLAUDE.pinned)!;
  const newest = parseClaudeVersion(TESTED_CLAUDE.newest)!;
  if (compareVersions(version, pinned) < 0)
    return {
      ...base,
      status: 'warn',
      summary: `claude ${shown} is older than the versions Flux is ${tested}`,
      fix: `${INSTALL_CLAUDE}@${TESTED_CLAUDE.pinned}`,
    };
  if (compareVersions(version, newest) > 0)
    return {
      ...base,
      status: 'warn',
      summary: `claude ${shown} is newer than the versions Flux is ${tested}`,
    };
  return { ...base, status: 'ok', summary: `claude ${shown} (Flux is ${tested})` };
}

const asConfig = (facts: ClaudeFacts): ClaudeConfigJson | null =>
  typeof facts.config === 'object' ? facts.config : null;

/** The key or login claude will use, in Claude Code's own order; undefined when there is none. */
function keySource(
  facts: ClaudeFacts,
  home: string | undefined,
): { found: string; note?: string } | undefined {
  const config = asConfig(facts);
  const from = (name: keyof ClaudeFacts['env']) => {
    const entry = facts.env[name];
    if (entry === undefined || entry.value === '') return undefined;
    return entry.source === 'claude.env' ? `${name} in [claude.env]` : `${name} in the environment`;
  };
  for (const cloud of [
    'CLAUDE_CODE_USE_BEDROCK',
    'CLAUDE_CODE_USE_VERTEX',
    'CLAUDE_CODE_USE_FOUNDRY',
  ] as const) {
    const found = from(cloud);
    if (found !== undefined && facts.env[cloud]!.value !== '0')
      return { found: `a cloud provider (${found})` };
  }
  const token = from('ANTHROPIC_AUTH_TOKEN') ?? from('CLAUDE_CODE_OAUTH_TOKEN');
  if (token !== undefined) return { found: token };
  if (facts.fluxApiKeyHelper) return { found: 'apiKeyHelper in [claude] settings' };
  const apiKey = from('ANTHROPIC_API_KEY');
  if (apiKey !== undefined) {
    const approved = config?.customApiKeyResponses?.approved;
    const tail = facts.env.ANTHROPIC_API_KEY!.value.slice(-20);
    if (Array.isArray(approved) && approved.includes(tail)) return { found: apiKey };
    return {
      found: apiKey,
      note: 'not approved yet: each new session asks "Do you want to use this API key?" in its pane until you answer yes once (run `claude` and accept it), or give it as apiKeyHelper in [claude] settings',
    };
  }
  if (facts.userApiKeyHelper)
    return { found: `apiKeyHelper in ${tildePath(path.join(facts.configDir, 'settings.json'), home)}` };
  if (facts.credentialsLogin)
    return { found: `a Claude login (${tildePath(path.join(facts.configDir, '.credentials.json'), home)})` };
  const email = config?.oauthAccount?.emailAddress;
  if (config?.oauthAccount !== undefined && config.oauthAccount !== null)
    return {
      found: `a Claude login${typeof email === 'string' ? ` as ${email}` : ''} (${tildePath(facts.configFile, home)})`,
    };
  if (typeof config?.primaryApiKey === 'string' && config.primaryApiKey !== '')
    return { found: `an API key saved by claude (${tildePath(facts.configFile, home)})` };
  return undefined;
}

function keyCheck(facts: ClaudeFacts, home: string | undefined): Check {
  const base = { group: 'agent' as const, id: 'agent.key' };
  const source = keySource(facts, home);
  if (source === undefined)
    return {
      ...base,
      status: 'fail',
      summary: 'no login or API key for claude',
      fix: 'run `claude` once and log in (/login), or give a key: `settings = { apiKeyHelper = "<command that prints the key>" }` under [claude] in .work/config.toml, or ANTHROPIC_API_KEY',
    };
  if (source.note !== undefined)
    return { ...base, status: 'warn', summary: `key: ${source.found}`, details: [source.note] };
  return { ...base, status: 'ok', summary: `key: ${source.found}` };
}

/** The first-run fix: Claude Code asks both questions when started in the repository. */
const firstRun = (root: string | null) =>
  `${root === null ? '' : `cd ${root} && `}claude   (finish the first-run questions, answer "Yes, I trust this folder", then /exit)`;

function configProblem(facts: ClaudeFacts, home: string | undefined): Check | undefined {
  const file = tildePath(facts.configFile, home);
  if (facts.config === null)
    return {
      group: 'agent',
      id: 'agent.onboarding',
      status: 'fail',
      summary: `claude has not been set up for this user: ${file} does not exist`,
      fix: firstRun(facts.root),
    };
  if (typeof facts.config === 'string')
    return {
      group: 'agent',
      id: 'agent.onboarding',
      status: 'fail',
      summary: `${file} cannot be read: ${facts.config}`,
      fix: `fix or move ${file} aside, then ${firstRun(facts.root)}`,
    };
  return undefined;
}

function onboardingCheck(facts: ClaudeFacts, home: string | undefined): Check {
  const problem = configProblem(facts, home);
  if (problem !== undefined) return problem;
  const file = tildePath(facts.configFile, home);
  if (asConfig(facts)?.hasCompletedOnboarding === true)
    return { group: 'agent', id: 'agent.onboarding', status: 'ok', summary: `onboarding done (${file})` };
  return {
    group: 'agent',
    id: 'agent.onboarding',
    status: 'fail',
    summary: `claude's first-run questions were never answered (no hasCompletedOnboarding in ${file}): every session would stop at them`,
    fix: firstRun(facts.root),
  };
}

/** The folder whose trust covers `root`: itself or a folder above it, as Claude Code looks. */
export function trustedBy(config: ClaudeConfigJson, root: string): string | undefined {
  for (let dir = root; ; dir = path.dirname(dir)) {
    if (config.projects?.[dir]?.hasTrustDialogAccepted === true) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function trustCheck(facts: ClaudeFacts, home: string | undefined): Check | undefined {
  const base = { group: 'agent' as const, id: 'agent.trust' };
  if (facts.root === null)
    return { ...base, status: 'skip', summary: 'folder trust: not inside a git repository' };
  const config = asConfig(facts);
  if (config === null) return undefined; // said by the onboarding check
  const file = tildePath(facts.configFile, home);
  const by = trustedBy(config, facts.root);
  if (by === facts.root) return { ...base, status: 'ok', summary: `${facts.root} is trusted (${file})` };
  if (by !== undefined)
    return { ...base, status: 'ok', summary: `${facts.root} is trusted through ${by} (${file})` };
  return {
    ...base,
    status: 'fail',
    summary: `${facts.root} is not trusted by claude (no projects["${facts.root}"].hasTrustDialogAccepted in ${file}): a session would wait at the folder-trust question and run no hook`,
    fix: firstRun(facts.root),
  };
}

const DEFAULT_WINDOW = 1_000_000;
const WINDOW_200K = 200_000;

/** The context window of a model: 1M for Claude Code's default and `[1m]` models, else 200k. */
export function contextWindow(model: string): number {
  if (model === '' || /\[1m\]$/i.test(model)) return DEFAULT_WINDOW;
  return WINDOW_200K;
}

/** 750000 → `750k`, 1000000 → `1M`, 167000 → `167k`. */
export function tokens(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1000) return `${Math.round(n / 100) / 10}k`.replace('.0k', 'k');
  return String(n);
}

/** Claude Code compacts on its own past this share of the auto-compact window (docs/claude-code.md). */
const AUTO_COMPACT_SHARE = 0.835;

function modelCheck(facts: ClaudeFacts): Check {
  const window = contextWindow(facts.model);
  const at = Math.round((window * facts.handoffThreshold) / 100);
  const model = facts.model === '' ? "Claude Code's default model" : `model ${facts.model}`;
  const details: string[] = [];
  if (facts.autoCompactWindow !== null) {
    const compactAt = Math.round(facts.autoCompactWindow * AUTO_COMPACT_SHARE);
    details.push(
      `autoCompactWindow ${tokens(facts.autoCompactWindow)}: Claude Code would compact near ${tokens(compactAt)} tokens; Flux blocks that and asks for the handoff then`,
    );
  }
  return {
    group: 'agent',
    id: 'agent.model',
    status: 'ok',
    summary: `${model}, ${tokens(window)}-token window: run.handoff_threshold ${facts.handoffThreshold}% hands off at ${tokens(at)} tokens`,
    ...(details.length === 0 ? {} : { details }),
  };
}

/** What gets in the way of a claude session before it starts: program, key or login, onboarding, trust. */
export function claudeReadiness(facts: ClaudeFacts, home: string | undefined): Check[] {
  const checks: (Check | undefined)[] = [
    programCheck(facts),
    keyCheck(facts, home),
    onboardingCheck(facts, home),
    trustCheck(facts, home),
  ];
  return checks.filter((c): c is Check => c !== undefined);
}

/** Every check of the agent `run.agent` names. */
export function agentChecks(agent: AgentFacts, home: string | undefined): Check[] {
  if (agent.kind === 'sim')
    return [
      {
        group: 'agent',
        id: 'agent.program',
        status: 'skip',
        summary: 'run.agent = "sim": the simulated agent needs no claude, key, login or trust',
      },
    ];
  if (agent.kind === 'command')
    return [
      agent.found
        ? {
            group: 'agent',
            id: 'agent.program',
            status: 'ok',
            summary: `${agent.name} agent: ${agent.program} found`,
          }
        : {
            group: 'agent',
            id: 'agent.program',
            status: 'fail',
            summary: `the ${agent.name} agent's program '${agent.program}' is not installed (or not on PATH)`,
            fix: `install it, or fix [agents.${agent.name}] command in .work/config.toml`,
          },
    ];
  const [program, ...rest] = claudeReadiness(agent, home);
  const version = versionCheck(agent);
  return [program!, ...(version === undefined ? [] : [version]), ...rest, modelCheck(agent)];
}
