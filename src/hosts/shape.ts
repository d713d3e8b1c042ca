/**
 * The relay's messages checked by hand (src/hosts/protocol.ts): what crosses
 * the link is read by the other side as data, never trusted. A request's id
 * names files on both machines, so it is held to the UUID form before any
 * path is made of it. No zod: the host's hook path loads this too.
 */
import { HOOK_NAMES, type HookName } from '../agents/protocol.js';
import { RELAYED_COMMANDS, type AckLine, type RelayReply, type RelayRequest } from './protocol.js';

/** A random UUID (lowercase), the only form a request id takes. */
export const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isText = (value: unknown): value is string => typeof value === 'string';

function isTextRecord(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every(isText);
}

/** A request, or why it is not one (the field named). */
export function parseRequest(value: unknown): RelayRequest | string {
  if (!isObject(value)) return 'not a JSON object';
  const { id, at, session, stage, env, handoffs, kind } = value;
  if (!isText(id) || !REQUEST_ID.test(id)) return 'id: not a request id (a random UUID)';
  if (!isText(at) || Number.isNaN(Date.parse(at))) return 'at: not a time';
  if (!isText(session) || session === '') return 'session: missing';
  if (!isText(stage) || stage === '') return 'stage: missing';
  if (!isTextRecord(env)) return 'env: not an object of strings';
  if (handoffs !== undefined && !isTextRecord(handoffs)) return 'handoffs: not an object of strings';
  if (kind === 'hook') {
    const { hook, stdin, tokens } = value;
    if (!HOOK_NAMES.includes(hook as HookName)) return `hook: not a hook name: ${JSON.stringify(hook)}`;
    if (!isText(stdin)) return 'stdin: not a string';
    if (tokens !== undefined && tokens !== null && !(typeof tokens === 'number' && tokens >= 0))
      return 'tokens: not a count';
  } else if (kind === 'exit') {
    const { status } = value;
    if (!Number.isInteger(status) || (status as number) < 0 || (status as number) > 255)
      return 'status: not an exit status (0–255)';
  } else if (kind === 'cli') {
    const { argv } = value;
    if (!Array.isArray(argv) || !argv.every(isText)) return 'argv: not a list of strings';
    if (!(RELAYED_COMMANDS as readonly string[]).includes(argv[0] as string))
      return `argv: ${JSON.stringify(argv[0] ?? null)} is not a command a host relays (${RELAYED_COMMANDS.join(', ')})`;
  } else {
    return `kind: ${JSON.stringify(kind ?? null)} is none of hook, exit, cli`;
  }
  return value as unknown as RelayRequest;
}

/** A reply, or why it is not one. */
export function parseReply(value: unknown): RelayReply | string {
  if (!isObject(value)) return 'not a JSON object';
  if (!isText(value.stdout) || !isText(value.stderr)) return 'stdout, stderr: not strings';
  if (!Number.isInteger(value.exitCode)) return 'exitCode: not a whole number';
  return { stdout: value.stdout, stderr: value.stderr, exitCode: value.exitCode as number };
}

/** An acknowledgement line (here → host), or why it is not one. */
export function parseAck(value: unknown): AckLine | string {
  if (!isObject(value)) return 'not a JSON object';
  if (!isText(value.ack) || !REQUEST_ID.test(value.ack)) return 'ack: not a request id';
  const reply = parseReply(value.reply);
  return typeof reply === 'string' ? `reply: ${reply}` : { ack: value.ack, reply };
}

/** JSON.parse that answers undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
