/**
 * The session's transcript (`<session id>.jsonl`), in Claude Code's shape:
 * the lines Flux reads back for a stage's last message and its usage.
 */
import { appendFile } from 'node:fs/promises';
import { CONTEXT_WINDOW_SIZE, SIM_MODEL, type ClaudeIdentity, type Usage } from './claude-json.js';

/** Appends one entry; a transcript that cannot be written is not the session's failure. */
export async function appendTranscript(id: ClaudeIdentity, entry: Record<string, unknown>): Promise<void> {
  const line = {
    ...entry,
    sessionId: id.sessionId,
    cwd: id.cwd,
    timestamp: new Date().toISOString(),
  };
  await appendFile(id.transcriptPath, JSON.stringify(line) + '\n').catch(() => undefined);
}

/** The assistant's entry for a finished turn: what it said, and the usage as of then. */
export function assistantEntry(say: string, usage: Usage): Record<string, unknown> {
  return {
    type: 'assistant',
    message: {
      model: SIM_MODEL.id,
      role: 'assistant',
      content: [{ type: 'text', text: say }],
      usage: {
        input_tokens: Math.round(((usage.percent ?? 0) / 100) * CONTEXT_WINDOW_SIZE),
        output_tokens: usage.lastOutputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    },
  };
}

/** The person's (or the sim's own) prompt. */
export function userEntry(prompt: string): Record<string, unknown> {
  return { type: 'user', message: { role: 'user', content: prompt } };
}
