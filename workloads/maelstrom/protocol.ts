// Maelstrom's wire protocol (jepsen-io/maelstrom doc/protocol.md), as types and pure functions: a
// message is one JSON object per line, an envelope {src, dest, body}; a body has a `type` and, for
// RPCs, `msg_id` and `in_reply_to`; an error body carries a code that says whether the operation
// definitely did not happen (definite) or may have (indefinite). The process host in
// scripts/maelstrom/ reads and writes lines; everything that decides what a line means is here.

/** A node id (`n1`), a client id (`c1`) or a service (`lin-kv`). */
export type MaelstromId = string;

export interface Body {
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  [field: string]: unknown;
}

export interface Envelope {
  src: MaelstromId;
  dest: MaelstromId;
  body: Body;
}

/** A line longer than this is not a message but a runaway node: said and dropped. */
export const LINE_BYTES_MAX = 1024 * 1024;

export interface ErrorCode {
  code: number;
  name: string;
  /** The operation definitely did not (and never will) happen. */
  definite: boolean;
}

/** Maelstrom's defined errors (protocol.md); codes 0-999 are Maelstrom's, 1000 and above the node's own. */
export const ERROR_CODES: readonly ErrorCode[] = [
  { code: 0, name: 'timeout', definite: false },
  { code: 1, name: 'node-not-found', definite: true },
  { code: 10, name: 'not-supported', definite: true },
  { code: 11, name: 'temporarily-unavailable', definite: true },
  { code: 12, name: 'malformed-request', definite: true },
  { code: 13, name: 'crash', definite: false },
  { code: 14, name: 'abort', definite: true },
  { code: 20, name: 'key-does-not-exist', definite: true },
  { code: 21, name: 'key-already-exists', definite: true },
  { code: 22, name: 'precondition-failed', definite: true },
  { code: 30, name: 'txn-conflict', definite: true },
];

export const ERROR = {
  TIMEOUT: 0,
  NODE_NOT_FOUND: 1,
  NOT_SUPPORTED: 10,
  TEMPORARILY_UNAVAILABLE: 11,
  MALFORMED_REQUEST: 12,
  CRASH: 13,
  ABORT: 14,
  KEY_DOES_NOT_EXIST: 20,
  KEY_ALREADY_EXISTS: 21,
  PRECONDITION_FAILED: 22,
  TXN_CONFLICT: 30,
} as const;

const BY_CODE = new Map(ERROR_CODES.map((entry) => [entry.code, entry]));

/**
 * What an error code says about the operation. Unknown codes, and custom codes (1000 and above),
 * are indefinite: "when in doubt, indefinite is always safe" (protocol.md).
 */
export function errorCode(code: number): ErrorCode {
  return BY_CODE.get(code) ?? { code, name: code >= 1000 ? 'custom' : 'unknown', definite: false };
}

export class EnvelopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses one line a node wrote; throws EnvelopeError saying what is wrong with it. */
export function parseEnvelope(line: string): Envelope {
  if (line.length > LINE_BYTES_MAX) throw new EnvelopeError(`a line of ${line.length} characters (at most ${LINE_BYTES_MAX})`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new EnvelopeError(`not JSON: ${line.slice(0, 80)}`);
  }
  if (!isPlainObject(value)) throw new EnvelopeError(`not a JSON object: ${line.slice(0, 80)}`);
  const { src, dest, body } = value;
  if (typeof src !== 'string' || src === '') throw new EnvelopeError(`"src" must be a non-empty string: ${line.slice(0, 80)}`);
  if (typeof dest !== 'string' || dest === '') throw new EnvelopeError(`"dest" must be a non-empty string: ${line.slice(0, 80)}`);
  if (!isPlainObject(body) || typeof body.type !== 'string') throw new EnvelopeError(`"body" must be an object with a string "type": ${line.slice(0, 80)}`);
  for (const field of ['msg_id', 'in_reply_to'] as const) {
    const id = body[field];
    if (id !== undefined && !Number.isSafeInteger(id)) throw new EnvelopeError(`"body.${field}" must be an integer: ${line.slice(0, 80)}`);
  }
  return { src, dest, body: body as Body };
}

/** An error reply to `request` (which must carry a msg_id). */
export function errorBody(request: Body, code: number, text: string): Body {
  return { type: 'error', in_reply_to: request.msg_id, code, text };
}

/** How a reply ends the client operation it answers. */
export type Outcome =
  | { kind: 'ok'; body: Body }
  | { kind: 'error'; code: ErrorCode; text: string; body: Body }
  | { kind: 'malformed'; why: string; body: Body };

/** What `reply` says about a request of type `requestType` (`read` expects `read_ok` or `error`). */
export function outcomeOf(requestType: string, reply: Body): Outcome {
  if (reply.type === 'error') {
    const code = reply.code;
    if (!Number.isSafeInteger(code)) return { kind: 'malformed', why: 'an error without an integer "code"', body: reply };
    return { kind: 'error', code: errorCode(code as number), text: typeof reply.text === 'string' ? reply.text : '', body: reply };
  }
  if (reply.type === `${requestType}_ok`) return { kind: 'ok', body: reply };
  return { kind: 'malformed', why: `expected ${requestType}_ok or error, got ${reply.type}`, body: reply };
}
