// What the scheduler needs of its replicated store: the embedded Raft KV of nodes/raft/, seen
// through the few calls the job store makes, so the store logic can also be driven by a plain map
// in unit tests.
import type { Host, Message, NodeId, NodeStatus, TimerTag } from '../host.js';

export interface JobKvOp {
  f: 'cas';
  key: string;
  /** [expected, new]: expected null means "create if absent". */
  value: [string | number | null, string | number];
}

export interface JobKvReply {
  outcome: 'ok' | 'fail' | 'redirect' | 'unavailable';
  value?: string | number | null;
}

export interface JobKv {
  start(): void;
  onMessage(from: NodeId, message: Message): boolean;
  onTimer(tag: TimerTag): boolean;
  onFsync(tag: TimerTag, ok: boolean): boolean;
  status(): NodeStatus;
  isLeader(): boolean;
  leader(): NodeId | null;
  /** This node's applied state: stale on a follower and on a deposed leader (writes are fenced by cas). */
  read(key: string): string | number | null;
  propose(op: JobKvOp, timeoutNs: number, done: (reply: JobKvReply | null) => void): void;
  readLinearizable(key: string, timeoutNs: number, done: (reply: JobKvReply | null) => void): void;
}

export type JobKvFactory = (host: Host) => JobKv;
