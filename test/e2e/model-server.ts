// A scripted stand-in for the Anthropic Messages API on 127.0.0.1, so the real
// `claude` binary can run offline and deterministically. Each conversation
// (picked by a marker in its first user message or system prompt) replays its
// own queue of assistant turns; the `usage` of each turn is what Claude Code
// turns into the context percentage of its status line.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Usage {
  input_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
  output_tokens?: number;
}

export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
}

/** An API error answered instead of a message (e.g. a 400 "prompt is too long"). */
export interface ApiError {
  status: number;
  type: string;
  message: string;
}

/** One assistant message: text and/or tool calls (stop_reason follows from them), or an error. */
export interface Turn {
  text?: string;
  tools?: ToolCall[];
  usage?: Usage;
  error?: ApiError;
}

/** The parsed body of a POST /v1/messages request (only the parts the rig reads). */
export interface MessagesRequest {
  model?: string;
  system?: string | { type: string; text?: string }[];
  messages: { role: 'user' | 'assistant'; content: string | ContentBlock[] }[];
  tools?: { name: string }[];
  stream?: boolean;
  [key: string]: unknown;
}

export interface ContentBlock {
  type: string;
  text?: string;
  content?: string | ContentBlock[];
  tool_use_id?: string;
  is_error?: boolean;
  [key: string]: unknown;
}

/** A turn, or a function that builds it from the request it answers (and the server's address). */
export type ScriptStep = Turn | ((req: MessagesRequest, server: { url: string; port: number }) => Turn);

export interface Route {
  /**
   * Substring (or pattern) looked for in the first user message and the system
   * prompt. Prefer a marker in --append-system-prompt: after a compaction the
   * first user message is a summary, not the original prompt.
   */
  match: string | RegExp;
  script: ScriptStep[];
}

/** Either one script for every conversation, or routes tried in order. */
export type Scenario = ScriptStep[] | { routes: Route[]; fallback?: ScriptStep[] };

export type RequestKind = 'main' | 'compact' | 'side' | 'count_tokens' | 'other';

export interface LoggedRequest {
  at: number;
  method: string;
  path: string;
  kind: RequestKind;
  /** Which route answered a main or compact request ('*' for a plain script or the fallback). */
  route?: string;
  /** Set when the turn answered was an API error. */
  error?: ApiError;
  body?: MessagesRequest;
}

export interface ModelServer {
  url: string;
  port: number;
  requests: LoggedRequest[];
  /** Main-conversation requests only, optionally for one route. */
  mainRequests(route?: string): MessagesRequest[];
  close(): Promise<void>;
}

export const DEFAULT_USAGE: Usage = {
  input_tokens: 1000,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
  output_tokens: 10,
};

// ---- helpers for writing scripts -------------------------------------------

export const say = (text: string, usage?: Usage): Turn => ({ text, usage });

/** The error Claude Code reacts to by compacting the conversation ("reactive" compaction). */
export const promptTooLong = (tokens = 210_000, limit = 200_000): Turn => ({
  error: {
    status: 400,
    type: 'invalid_request_error',
    message: `prompt is too long: ${tokens} tokens > ${limit} maximum`,
  },
});

/** Claude Code's compaction request asks the model for a summary of the conversation. */
export const isCompactionRequest = (req: MessagesRequest): boolean =>
  /create a detailed summary of (this|the)/i.test(lastUserText(req));

export const COMPACT_SUMMARY = '<summary>Scripted summary: the work so far.</summary>';

export const bash = (command: string, description = 'run a command'): ToolCall => ({
  name: 'Bash',
  input: { command, description },
});

export const write = (file_path: string, content: string): ToolCall => ({
  name: 'Write',
  input: { file_path, content },
});

export const edit = (file_path: string, old_string: string, new_string: string): ToolCall => ({
  name: 'Edit',
  input: { file_path, old_string, new_string },
});

/** All text of a content value (string or blocks, including nested tool results). */
export function textOf(content: string | ContentBlock[] | undefined): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .map((b) => (typeof b.text === 'string' ? b.text : b.content !== undefined ? textOf(b.content) : ''))
    .join('\n');
}

export function systemText(req: MessagesRequest): string {
  if (typeof req.system === 'string') return req.system;
  return (req.system ?? []).map((b) => b.text ?? '').join('\n');
}

/** The text of the most recent tool_result in the conversation, if any. */
export function lastToolResult(req: MessagesRequest): ContentBlock | undefined {
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const content = req.messages[i]!.content;
    if (typeof content === 'string') continue;
    const results = content.filter((b) => b.type === 'tool_result');
    if (results.length > 0) return results[results.length - 1];
  }
  return undefined;
}

/** The text of the last user message (a prompt, a Stop-hook reason, a tool result). */
export function lastUserText(req: MessagesRequest): string {
  const last = [...req.messages].reverse().find((m) => m.role === 'user');
  return textOf(last?.content);
}

// ---- the server ------------------------------------------------------------

interface Conversation {
  name: string;
  queue: ScriptStep[];
}

function routeTable(scenario: Scenario): { routes: (Route & { name: string })[]; fallback: Conversation } {
  if (Array.isArray(scenario)) return { routes: [], fallback: { name: '*', queue: [...scenario] } };
  return {
    routes: scenario.routes.map((r) => ({ ...r, name: String(r.match), script: [...r.script] })),
    fallback: { name: '*', queue: [...(scenario.fallback ?? [])] },
  };
}

export async function startModelServer(scenario: Scenario): Promise<ModelServer> {
  const { routes, fallback } = routeTable(scenario);
  const conversations = new Map<string, Conversation>(
    routes.map((r) => [r.name, { name: r.name, queue: r.script }]),
  );
  const requests: LoggedRequest[] = [];
  const address = { url: '', port: 0 };
  let nextId = 1;

  function conversationFor(req: MessagesRequest): Conversation {
    const first = req.messages.find((m) => m.role === 'user');
    const haystack = textOf(first?.content) + '\n' + systemText(req);
    for (const r of routes) {
      const hit = typeof r.match === 'string' ? haystack.includes(r.match) : r.match.test(haystack);
      if (hit) return conversations.get(r.name)!;
    }
    return fallback;
  }

  function nextTurn(conv: Conversation, req: MessagesRequest): Turn {
    const step = conv.queue.shift();
    if (step === undefined) return { text: 'done' };
    return typeof step === 'function' ? step(req, address) : step;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    const body = raw ? (safeJson(raw) as MessagesRequest | undefined) : undefined;
    const entry: LoggedRequest = { at: Date.now(), method: req.method ?? 'GET', path, kind: 'other', body };
    requests.push(entry);

    if (req.method === 'POST' && path.endsWith('/messages/count_tokens')) {
      entry.kind = 'count_tokens';
      return sendJson(res, { input_tokens: Math.max(1, Math.round(raw.length / 4)) });
    }
    if (req.method === 'POST' && path.endsWith('/messages') && body?.messages) {
      // Requests without tools are side requests (session title, quota probe…);
      // a compaction request gets a summary without using up the script.
      const isMain = Array.isArray(body.tools) && body.tools.length > 0;
      entry.kind = isCompactionRequest(body) ? 'compact' : isMain ? 'main' : 'side';
      let turn: Turn = { text: 'Scripted session', usage: { input_tokens: 10, output_tokens: 3 } };
      if (entry.kind === 'compact') {
        entry.route = conversationFor(body).name;
        turn = { text: COMPACT_SUMMARY, usage: { input_tokens: 2000, output_tokens: 50 } };
      } else if (isMain) {
        const conv = conversationFor(body);
        entry.route = conv.name;
        turn = nextTurn(conv, body);
      }
      if (turn.error) {
        entry.error = turn.error;
        res.writeHead(turn.error.status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ type: 'error', error: { type: turn.error.type, message: turn.error.message } }),
        );
        return;
      }
      const message = toMessage(turn, `msg_${nextId++}`, body.model ?? 'claude-sonnet-4-5');
      return body.stream ? sendStream(res, message) : sendJson(res, message);
    }
    return sendJson(res, {});
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(err) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(address, { url: `http://127.0.0.1:${port}`, port });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    mainRequests: (route) =>
      requests
        .filter((r) => r.kind === 'main' && (route === undefined || r.route === route))
        .map((r) => r.body!),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- wire format -----------------------------------------------------------

interface AssistantMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ({ type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: object })[];
  stop_reason: 'end_turn' | 'tool_use';
  stop_sequence: null;
  usage: Required<Usage>;
}

let toolSeq = 0;

function toMessage(turn: Turn, id: string, model: string): AssistantMessage {
  const content: AssistantMessage['content'] = [];
  if (turn.text) content.push({ type: 'text', text: turn.text });
  for (const call of turn.tools ?? []) {
    content.push({ type: 'tool_use', id: `toolu_${String(++toolSeq).padStart(6, '0')}`, ...call });
  }
  if (content.length === 0) content.push({ type: 'text', text: 'done' });
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: turn.tools?.length ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { ...DEFAULT_USAGE, ...turn.usage } as Required<Usage>,
  };
}

function sendStream(res: ServerResponse, msg: AssistantMessage): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const emit = (type: string, data: object) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  emit('message_start', { message: { ...msg, content: [], stop_reason: null, usage: msg.usage } });
  msg.content.forEach((block, index) => {
    if (block.type === 'text') {
      emit('content_block_start', { index, content_block: { type: 'text', text: '' } });
      emit('content_block_delta', { index, delta: { type: 'text_delta', text: block.text } });
    } else {
      emit('content_block_start', { index, content_block: { ...block, input: {} } });
      emit('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      });
    }
    emit('content_block_stop', { index });
  });
  emit('message_delta', {
    delta: { stop_reason: msg.stop_reason, stop_sequence: null },
    usage: { output_tokens: msg.usage.output_tokens },
  });
  emit('message_stop', {});
  res.end();
}

function sendJson(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
