// One KV call at a time from a client to the cluster: pick a node, follow redirects, retry within
// the op's timeout, and say what became of the op. The caller never records history; its owner
// (a workload client) turns the result into `ok`, `fail` or `info`.
//
// The rule that keeps histories honest: `fail` means the op certainly did not take effect. A
// `redirect`, `unavailable` or non-cas `fail` only proves that for the attempt it answers, so the
// call ends in `fail` only when every attempt it sent was answered that way. An attempt that timed
// out, or a second attempt to a node already tried (a late or duplicated answer to the first could
// then be mistaken for an answer to the second), makes the call uncertain: it can then end only in
// `ok`, a cas mismatch (the state machine's own answer for this seq) or `info`.
import type { ClientHost, NodeId, TimerId } from '../nodes/host.js';
import { asKvReply, CAS_MISMATCH, type KvOp, type KvRequest, type TxnMicroOp } from './kv-protocol.js';

export interface KvCallerConfig {
  /** The cluster's nodes at start; leader hints may add nodes that joined later. */
  nodes: readonly NodeId[];
  /** The whole op, on the client's own clock: past it the op is `info` (or `fail` if certain). */
  timeoutNs: number;
  /** One attempt: with no answer by then the call moves on to another node. */
  attemptTimeoutNs: number;
  /** Attempts per op, redirects included. */
  attemptsMax: number;
  /** Pause before retrying when no leader is known, so an election is not flooded. */
  backoffNs: number;
  /** Chance, as numerator over 4, of sending a first attempt to the last known leader. */
  leaderBiasQuarters: number;
}

export type CallResult =
  /** `txn`: a transaction's micro-ops with what its reads returned. */
  | { outcome: 'ok'; value: number | null; node: NodeId; txn?: TxnMicroOp[] }
  | { outcome: 'fail'; error: string; node: NodeId }
  | { outcome: 'info'; node: NodeId | null; reason: string };

/** `between`: an attempt was just answered and the next is being chosen; nothing is in flight. */
type CallState = 'idle' | 'attempting' | 'between' | 'backoff';

/** Nodes learnt from leader hints are kept up to this many, so a bad hint cannot grow the list. */
const NODES_KNOWN_MAX = 64;

/** Timer tags of the caller; a client's own timers must use other tags. */
export const CALLER_TIMER_TAGS: readonly string[] = ['kv.attempt', 'kv.deadline', 'kv.backoff'];

export function defaultCallerConfig(nodes: readonly NodeId[], timeoutNs: number): KvCallerConfig {
  assert(timeoutNs > 0, 'timeoutNs must be positive');
  return {
    nodes,
    timeoutNs,
    attemptTimeoutNs: Math.max(1, Math.floor(timeoutNs / 4)),
    attemptsMax: 12,
    backoffNs: Math.max(1, Math.floor(timeoutNs / 20)),
    leaderBiasQuarters: 3,
  };
}

export class KvCaller {
  private readonly nodes: NodeId[];
  private leader: NodeId | null = null;
  private seq = 0;
  private state: CallState = 'idle';
  private op: KvOp | null = null;
  private target: NodeId | null = null;
  private attempts = 0;
  private uncertain = false;
  /** Nodes this call has sent to, in order; at most attemptsMax entries. */
  private readonly tried: NodeId[] = [];
  private attemptTimer: TimerId | null = null;
  private deadlineTimer: TimerId | null = null;
  private backoffTimer: TimerId | null = null;

  constructor(
    private readonly host: ClientHost,
    private readonly config: KvCallerConfig,
    private readonly onResult: (result: CallResult, op: KvOp) => void,
  ) {
    assert(config.nodes.length > 0, 'a caller needs at least one node');
    assert(config.attemptsMax >= 1, 'attemptsMax must be at least 1');
    assert(config.attemptTimeoutNs > 0 && config.backoffNs > 0, 'timeouts must be positive');
    assert(config.leaderBiasQuarters >= 0 && config.leaderBiasQuarters <= 4, 'leaderBiasQuarters is 0..4');
    this.nodes = [...config.nodes];
  }

  idle(): boolean {
    return this.state === 'idle';
  }

  /** The node that answered last as leader (or served an op), if any. */
  knownLeader(): NodeId | null {
    return this.leader;
  }

  call(op: KvOp): void {
    assert(this.state === 'idle', 'one call at a time');
    this.op = op;
    this.seq += 1;
    this.attempts = 0;
    this.uncertain = false;
    this.tried.length = 0;
    this.deadlineTimer = this.host.setTimer(this.config.timeoutNs, 'kv.deadline');
    this.attempt(this.pickTarget(null));
  }

  /** Handles a message if it is a reply; returns false for anything that is not the caller's. */
  onMessage(from: NodeId, message: unknown): boolean {
    const reply = asKvReply(message);
    if (reply === null) return false;
    // Late answers to an op that already ended, and duplicates, are dropped here.
    if (this.state === 'idle' || reply.seq !== this.seq) return true;
    if (reply.outcome === 'ok') {
      this.leader = from;
      this.finish(reply.txn === undefined ? { outcome: 'ok', value: reply.value ?? null, node: from } : { outcome: 'ok', value: reply.value ?? null, node: from, txn: reply.txn });
      return true;
    }
    if (reply.outcome === 'fail' && reply.error === CAS_MISMATCH) {
      this.leader = from;
      this.finish({ outcome: 'fail', error: CAS_MISMATCH, node: from });
      return true;
    }
    // A certain non-effect speaks only for the attempt in flight to that node.
    if (this.state !== 'attempting' || from !== this.target) return true;
    this.clearTimer('attempt');
    this.state = 'between';
    const hint = typeof reply.leader === 'string' && reply.leader !== from ? reply.leader : null;
    if (hint !== null) this.learn(hint);
    this.leader = hint;
    this.next(reply.outcome === 'redirect' && hint !== null, from);
    return true;
  }

  /** Handles the caller's own timers; returns false for a tag that is not the caller's. */
  onTimer(tag: unknown): boolean {
    if (tag === 'kv.deadline') {
      this.deadlineTimer = null;
      if (this.state !== 'idle') this.end('op timeout');
      return true;
    }
    if (tag === 'kv.attempt') {
      this.attemptTimer = null;
      if (this.state !== 'attempting') return true;
      this.uncertain = true;
      this.state = 'between';
      if (this.leader === this.target) this.leader = null;
      this.next(false, this.target, true);
      return true;
    }
    if (tag === 'kv.backoff') {
      this.backoffTimer = null;
      if (this.state === 'backoff') this.attempt(this.pickTarget(null));
      return true;
    }
    return false;
  }

  private next(toLeader: boolean, previous: NodeId | null, immediately = false): void {
    if (this.attempts >= this.config.attemptsMax) {
      this.end('attempts exhausted');
      return;
    }
    if (toLeader && this.leader !== null) {
      this.attempt(this.leader);
      return;
    }
    if (immediately) {
      this.attempt(this.pickTarget(previous));
      return;
    }
    this.state = 'backoff';
    this.backoffTimer = this.host.setTimer(this.config.backoffNs, 'kv.backoff');
  }

  private attempt(target: NodeId): void {
    assert(this.op !== null, 'attempt without an op');
    assert(this.attempts < this.config.attemptsMax, 'attempt budget exceeded');
    this.attempts += 1;
    if (this.tried.includes(target)) this.uncertain = true;
    else this.tried.push(target);
    this.state = 'attempting';
    this.target = target;
    const request: KvRequest = { type: 'kv.request', client: this.host.id, seq: this.seq, op: this.op };
    this.host.send(target, request);
    this.attemptTimer = this.host.setTimer(this.config.attemptTimeoutNs, 'kv.attempt');
  }

  /** The last known leader most of the time; otherwise a random node, untried ones first. */
  private pickTarget(avoid: NodeId | null): NodeId {
    const random = this.host.random;
    if (this.leader !== null && this.leader !== avoid && random.int(4) < this.config.leaderBiasQuarters) {
      return this.leader;
    }
    const untried = this.nodes.filter((node) => node !== avoid && !this.tried.includes(node));
    if (untried.length > 0) return random.pick(untried);
    const others = this.nodes.filter((node) => node !== avoid);
    return random.pick(others.length > 0 ? others : this.nodes);
  }

  private learn(node: NodeId): void {
    if (this.nodes.includes(node) || this.nodes.length >= NODES_KNOWN_MAX) return;
    this.nodes.push(node);
  }

  /** Ends a call that got no `ok`: `fail` only when nothing sent may have taken effect. */
  private end(reason: string): void {
    const inFlight = this.state === 'attempting';
    if (this.uncertain || inFlight || this.target === null) {
      this.finish({ outcome: 'info', node: this.target, reason });
    } else {
      this.finish({ outcome: 'fail', error: reason, node: this.target });
    }
  }

  private finish(result: CallResult): void {
    const op = this.op;
    assert(op !== null && this.state !== 'idle', 'finish without a call');
    this.clearTimer('attempt');
    this.clearTimer('deadline');
    this.clearTimer('backoff');
    this.state = 'idle';
    this.op = null;
    this.target = null;
    // The owner may start the next call from inside this callback, so state is reset first.
    this.onResult(result, op);
  }

  private clearTimer(kind: 'attempt' | 'deadline' | 'backoff'): void {
    if (kind === 'attempt') {
      if (this.attemptTimer !== null) this.host.cancelTimer(this.attemptTimer);
      this.attemptTimer = null;
    } else if (kind === 'deadline') {
      if (this.deadlineTimer !== null) this.host.cancelTimer(this.deadlineTimer);
      this.deadlineTimer = null;
    } else {
      if (this.backoffTimer !== null) this.host.cancelTimer(this.backoffTimer);
      this.backoffTimer = null;
    }
  }
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`kv-caller: ${message}`);
}
