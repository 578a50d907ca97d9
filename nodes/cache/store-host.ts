// The store nodes of the cache system run the lab's Raft KV unchanged (nodes/raft/index.ts), each
// behind a thin host of its own with two jobs:
//  - membership: Raft is told that the cluster is the store nodes only (its founding set and its
//    peers), so the cache nodes never become Raft voters;
//  - the invalidation relay: every write or cas the Raft node answers `ok` has been applied, so
//    the host, seeing that reply leave, sends `cache.inval` (key, committed version) to the key's
//    owner on the cache ring. This is the store's stream of acknowledged commits (the mcsqueal idea) taken at the
//    store's edge, with no hook inside Raft. It is best effort: a commit whose leader died before
//    answering is not relayed, and a relayed message may be lost, so it only shortens staleness;
//    the bounds the checkers hold come from the clients' acknowledged cache writes and the TTL.
import type { Host, Message, NodeId, Process, TimerTag } from '../host.js';
import { createRaftNode } from '../raft/index.js';
import { cacheNodesOf, isStoreNode, type CacheInvalidate } from './protocol.js';
import { cacheRing } from './node.js';

/** Writes remembered between their request and their `ok`, at most (the oldest is forgotten first). */
export const RELAY_PENDING_MAX = 4096;

interface PendingWrite {
  key: string;
  /** The value an `ok` commits: a write's value, a cas's new value. */
  version: number;
}

/** A Raft node of the cache system's store, with the relay around it. */
export class StoreNode implements Process {
  private readonly raft: Process;
  /** `${client}|${seq}` -> the write it asked for. */
  private readonly writes = new Map<string, PendingWrite>();

  constructor(private readonly host: Host) {
    this.raft = createRaftNode(this.storeHost());
  }

  start(): void {
    this.writes.clear();
    this.raft.start();
  }

  onMessage(from: NodeId, message: Message): void {
    this.noteWrite(from, message);
    this.raft.onMessage(from, message);
  }

  onTimer(tag: TimerTag): void {
    this.raft.onTimer(tag);
  }

  onFsync(tag: TimerTag, ok: boolean): void {
    this.raft.onFsync(tag, ok);
  }

  status(): ReturnType<NonNullable<Process['status']>> {
    return { ...(this.raft.status?.() ?? {}), part: 'store' };
  }

  /** The Raft process itself, for white-box monitors. */
  inner(): Process {
    return this.raft;
  }

  private noteWrite(from: NodeId, message: Message): void {
    if (typeof message !== 'object' || message === null) return;
    const m = message as { type?: unknown; seq?: unknown; op?: { f?: unknown; key?: unknown; value?: unknown } };
    if (m.type !== 'kv.request' || typeof m.seq !== 'number' || typeof m.op !== 'object' || m.op === null || typeof m.op.key !== 'string') return;
    const value = m.op.value;
    const version = m.op.f === 'write' && typeof value === 'number' ? value : m.op.f === 'cas' && Array.isArray(value) && typeof value[1] === 'number' ? value[1] : null;
    if (version === null) return;
    const id = `${from}|${m.seq}`;
    this.writes.delete(id);
    this.writes.set(id, { key: m.op.key, version });
    if (this.writes.size > RELAY_PENDING_MAX) this.writes.delete(this.writes.keys().next().value!);
  }

  private relay(to: NodeId, message: Message): void {
    if (typeof message !== 'object' || message === null) return;
    const m = message as { type?: unknown; seq?: unknown; outcome?: unknown };
    if (m.type !== 'kv.reply' || m.outcome !== 'ok' || typeof m.seq !== 'number') return;
    const id = `${to}|${m.seq}`;
    const write = this.writes.get(id);
    if (write === undefined) return;
    this.writes.delete(id);
    const invalidation: CacheInvalidate = { type: 'cache.inval', key: write.key, version: write.version };
    // To the key's owner, which passes it on to the key's copies if it is hot.
    if (cacheNodesOf(this.host.peers()).length > 0) this.host.send(cacheRing(this.host.peers()).owner(write.key), invalidation);
  }

  /** The host Raft sees: the store nodes as the whole cluster, and every send passing the relay. */
  private storeHost(): Host {
    const host = this.host;
    const relay = (to: NodeId, message: Message): void => this.relay(to, message);
    const storeOnly = (ids: readonly NodeId[]): NodeId[] => ids.filter(isStoreNode);
    const wrapped: Host = {
      id: host.id,
      peers: () => storeOnly(host.peers()),
      wallNow: () => host.wallNow(),
      monotonicNow: () => host.monotonicNow(),
      send: (to, message) => {
        host.send(to, message);
        relay(to, message);
      },
      setTimer: (delay, tag) => host.setTimer(delay, tag),
      cancelTimer: (id) => host.cancelTimer(id),
      get disk() {
        return host.disk;
      },
      random: host.random,
      log: (kind, fields) => host.log(kind, fields),
      faultPoint: (name) => host.faultPoint(name),
      bug: (name) => host.bug(name),
    };
    if (host.founding !== undefined) {
      const founding = host.founding.bind(host);
      wrapped.founding = () => storeOnly(founding());
    }
    return wrapped;
  }
}
