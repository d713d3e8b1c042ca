/**
 * `flux doctor [--json]`: is this machine and this repository ready for
 * Flux? git and tmux, the agent (claude: program, version, a key or login,
 * onboarding, folder trust, the model's window against the handoff
 * threshold), and `.work/` (the log replays, no stale lock, no orphan). Each
 * ✗ comes with the command that fixes it. Exit 0 when all is good, 1 when
 * something is to fix (docs/doctor.md).
 */
import { doctorChecks, needsFixing } from '../../engine/doctor/checks.js';
import type { Check, CheckGroup, CheckStatus } from '../../engine/doctor/types.js';
import { gatherDoctorFacts } from '../../engine/runtime/doctor-facts.js';
import { ExitCode } from '../../errors.js';
import { paint, print, printJson, terminalWidth, wrap, type Style } from '../output.js';

/** Doctor's own meaning of exit 1 (elsewhere a bug): something to fix. */
export const SOMETHING_TO_FIX = 1;

const MARK: Record<CheckStatus, [string, Style]> = {
  ok: ['✓', 'green'],
  fail: ['✗', 'red'],
  warn: ['!', 'yellow'],
  skip: ['–', 'dim'],
};

const HEADING: Record<CheckGroup, string> = {
  tools: 'Tools',
  agent: 'Agent',
  workspace: 'Workspace (.work/)',
  hosts: 'Hosts ([hosts] of .work/config.toml)',
};

export function renderChecks(checks: readonly Check[], agent: string, width = terminalWidth()): string[] {
  const heading = (group: CheckGroup) =>
    group === 'agent' ? `Agent (run.agent = "${agent}")` : HEADING[group];
  const lines: string[] = [];
  let group: CheckGroup | undefined;
  for (const check of checks) {
    if (check.group !== group) {
      if (group !== undefined) lines.push('');
      group = check.group;
      lines.push(paint(heading(group), 'bold'));
    }
    const [mark, style] = MARK[check.status];
    lines.push(...wrap(check.summary, width, { indent: `  ${paint(mark, style)} `, hangingIndent: '    ' }));
    for (const detail of check.details ?? [])
      lines.push(...wrap(detail, width, { indent: '      ', hangingIndent: '        ' }));
    if (check.fix !== undefined && check.status !== 'ok')
      lines.push(...wrap(`fix: ${check.fix}`, width, { indent: '      ', hangingIndent: '           ' }));
  }
  return lines;
}

export async function run(options: { json?: boolean }): Promise<number> {
  const facts = await gatherDoctorFacts(process.cwd());
  const checks = doctorChecks(facts, facts.home);
  const broken = checks.filter((c) => c.status === 'fail');
  const code = needsFixing(checks) ? SOMETHING_TO_FIX : ExitCode.ok;
  if (options.json === true) {
    printJson({
      ok: broken.length === 0,
      root: facts.workspace.root,
      agent: facts.agent.kind === 'command' ? facts.agent.name : facts.agent.kind,
      checks,
    });
    return code;
  }
  const agent = facts.agent.kind === 'command' ? facts.agent.name : facts.agent.kind;
  for (const line of renderChecks(checks, agent)) print(line);
  print('');
  if (broken.length === 0) print(paint('All good.', 'green'));
  else
    print(
      paint(
        `${broken.length} thing${broken.length === 1 ? '' : 's'} to fix (✗ above, each with its fix).`,
        'red',
      ),
    );
  return code;
}
