// Raft as a library: a replicated KV that another system's node runs inside itself (nodes/embed.ts),
// the way Kafka's brokers run KRaft for their controller state or a scheduler keeps its job table.
// The embedding node gets three powers:
//
//   read(key)      this node's applied state, at once (stale on a follower or a deposed leader: a
//                  system that acts on it fences with epochs or tokens kept in the same state);
//   propose(op)    a command (write, cas, txn, or a read through ReadIndex) sent to the leader this
//                  node knows, retried under one session seq until its deadline, so it is applied
//                  at most once however often it is resent; `done(null)` when the outcome is unknown;
//   onApplied      the keys that committed commands changed here, after each applied batch.
//
// The session id is drawn from the node's random stream at each start, so a restarted node never
// reuses the seqs of its previous life (the session table would take them for duplicates).
import { appAddress, embed, type Embedded } from '../embed.js';
import type { Host, Message, NodeId, NodeStatus, TimerId, TimerTag } from '../host.js';
import { assert } from './assert.js';
import { RaftNode, type RaftInspection, type RaftNodeOptions } from './node.js';
import type { KvOp, KvReply, KvValue } from './types.js';

export interface EmbeddedRaftKvOptions {
  /** The embedding's namespace (disk folder, timer tags, envelope type). Default `raft`. */
  name?: string;
  /** The outer peers that are voters of the group (default: all). Must be sorted. */
  members?(peers: readonly NodeId[]): readonly NodeId[];
  raft?: Partial<RaftNodeOptions>;
  /** The keys committed commands changed on this node (null: a snapshot replaced the state). */
  onApplied?(keys: readonly string[] | null): void;
}

/** An unknown outcome is null: the command may or may not have been applied. */
export type ProposeDone = (reply: KvReply | null) => void;

interface Call {
  seq: number;
  op: KvOp;
  done: ProposeDone;
  deadline: TimerId;
  attempt: TimerId | null;
  /** How long an attempt waits for its answer before the next (a quarter of the deadline). */
  retryNs: number;
  /** Redirects followed at once since the last attempt timer (bounded: stale hints can loop). */
  redirects: number;
}

/** Calls in flight at most; beyond, a new one is refused at once (done(null)): a bound on the queue. */
const CALLS_MAX = 1024;
/** Redirects followed at once per attempt; more wait for the attempt timer. */
const REDIRECTS_AT_ONCE_MAX = 2;
const CALL_TAG = 'call';

export class EmbeddedRaftKv {
  readonly node: RaftNode;
  private readonly embedded: Embedded;
  private readonly name: string;
  private session = '';
  private seq = 0;
  private readonly calls = new Map<number, Call>();

  constructor(
    private readonly host: Host,
    options: EmbeddedRaftKvOptions = {},
  ) {
    this.name = options.name ?? 'raft';
    let node: RaftNode | null = null;
    this.embedded = embed(host, {
      name: this.name,
      factory: (inner) => (node = new RaftNode(inner, options.raft)),
      ...(options.members === undefined ? {} : { members: options.members }),
      onAppMessage: (_from, message) => this.onReply(message),
    });
    assert(node !== null, 'embed builds the process at once');
    this.node = node;
    if (options.onApplied !== undefined) this.node.observeApplied(options.onApplied);
  }

  start(): void {
    this.session = `${appAddress(this.host.id, this.name)}.${this.host.random.int(2 ** 48).toString(36)}`;
    this.embedded.start();
  }

  onMessage(from: NodeId, message: Message): boolean {
    return this.embedded.onMessage(from, message);
  }

  onTimer(tag: TimerTag): boolean {
    if (typeof tag === 'string' && tag.startsWith(`${this.name}.${CALL_TAG}:`)) {
      this.onCallTimer(tag);
      return true;
    }
    return this.embedded.onTimer(tag);
  }

  onFsync(tag: TimerTag, ok: boolean): boolean {
    return this.embedded.onFsync(tag, ok);
  }

  /** The embedded node's own status (`role`, `term`, or `down`). */
  status(): NodeStatus {
    return this.node.status();
  }

  isLeader(): boolean {
    return this.node.status().role === 'leader';
  }

  /** The leader this node believes in (itself included), or null. */
  leader(): NodeId | null {
    return this.node.inspect().lead;
  }

  read(key: string): KvValue | null {
    return this.node.valueOf(key);
  }

  inspection(): RaftInspection {
    return this.node.inspect();
  }

  propose(op: KvOp, timeoutNs: number, done: ProposeDone): void {
    assert(timeoutNs > 0, 'a call has a positive deadline');
    if (this.calls.size >= CALLS_MAX) {
      done(null);
      return;
    }
    const seq = ++this.seq;
    const deadline = this.host.setTimer(timeoutNs, `${this.name}.${CALL_TAG}:d:${seq}`);
    const call: Call = { seq, op, done, deadline, attempt: null, retryNs: Math.max(1, Math.floor(timeoutNs / 4)), redirects: 0 };
    this.calls.set(seq, call);
    this.attempt(call, null);
  }

  /** A linearizable read: through the leader's ReadIndex. */
  readLinearizable(key: string, timeoutNs: number, done: ProposeDone): void {
    this.propose({ f: 'read', key, value: null }, timeoutNs, done);
  }

  /** Sends the call to `hint`, or to the leader this node knows; the attempt timer tries again. */
  private attempt(call: Call, hint: NodeId | null): void {
    // Resending is safe: the same (session, seq) is applied at most once, and answered alike.
    if (call.attempt === null) call.attempt = this.host.setTimer(call.retryNs, `${this.name}.${CALL_TAG}:a:${call.seq}`);
    const target = hint ?? (this.isLeader() ? this.host.id : this.leader());
    if (target === null) return; // no leader known yet
    this.embedded.sendToGroup(target, { type: 'kv.request', client: this.session, seq: call.seq, op: call.op });
  }

  private onCallTimer(tag: string): void {
    const [, kind, seqText] = tag.slice(this.name.length + 1).split(':');
    const call = this.calls.get(Number(seqText));
    if (call === undefined) return;
    if (kind === 'd') {
      this.finish(call, null);
      return;
    }
    call.attempt = null;
    call.redirects = 0;
    this.attempt(call, null);
  }

  private onReply(message: Message): void {
    if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== 'kv.reply') return;
    const reply = message as KvReply;
    const call = this.calls.get(reply.seq);
    if (call === undefined) return;
    if (reply.outcome === 'ok' || reply.outcome === 'fail') {
      this.finish(call, reply);
      return;
    }
    // Not the leader: follow its hint at once (a few times), otherwise wait for the attempt timer.
    if (reply.outcome === 'redirect' && typeof reply.leader === 'string' && call.redirects < REDIRECTS_AT_ONCE_MAX) {
      call.redirects++;
      this.attempt(call, reply.leader);
    }
  }

  private finish(call: Call, reply: KvReply | null): void {
    this.calls.delete(call.seq);
    this.host.cancelTimer(call.deadline);
    if (call.attempt !== null) this.host.cancelTimer(call.attempt);
    call.done(reply);
  }
}
