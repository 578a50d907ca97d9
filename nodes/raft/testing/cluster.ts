// A small deterministic harness for the interaction scripts: real RaftNode objects on fake hosts,
// a message queue delivered by hand, fsyncs completed by hand, crashes, partitions. Nothing happens
// unless a command says so, so every script reads like a precise story.
import type { Host, Message, NodeId, Random, TimerId, TimerTag, TraceFields } from '../../host.js';
import { RaftNode, type RaftNodeOptions } from '../node.js';
import { formatFields, formatMessage } from './format.js';
import { MemoryDisk } from './memory-disk.js';

/** A seeded xorshift stream: deterministic per node, enough for election timeouts. */
export class ScriptRandom implements Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  private next(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.state = x;
    return x;
  }

  int(bound: number): number {
    return this.next() % bound;
  }

  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(numerator: number, denominator: number): boolean {
    return this.int(denominator) < numerator;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  float(): number {
    return this.next() / 0x1_0000_0000;
  }
}

export interface QueuedMessage {
  from: NodeId;
  to: NodeId;
  message: Message;
}

interface Member {
  id: NodeId;
  disk: MemoryDisk;
  node: RaftNode | null;
  incarnation: number;
}

export class InteractionCluster {
  readonly members = new Map<NodeId, Member>();
  /** The ids host.peers() reports (servers of the cluster), sorted. */
  peers: NodeId[] = [];
  /** The members the cluster was created with: their first start is told so (host.founding()). */
  founders: NodeId[] = [];
  queue: QueuedMessage[] = [];
  private blocked = new Set<string>();
  readonly bugs = new Set<string>();
  options: Partial<RaftNodeOptions> = {};
  /** Output of the command being run. */
  out: string[] = [];
  /** Called with every event a node logs (the script runner feeds the invariant checker). */
  onLog: ((id: NodeId, kind: string, fields: TraceFields | undefined) => void) | null = null;
  /** Per client: the last request sent (for `retry`) and the next seq. */
  readonly clients = new Map<string, { seq: number; last: Message | null }>();

  addNode(id: NodeId): void {
    if (this.members.has(id)) throw new Error(`node ${id} exists`);
    this.peers = [...this.peers, id].sort(compareIds);
    const member: Member = { id, disk: new MemoryDisk(), node: null, incarnation: 0 };
    this.members.set(id, member);
  }

  start(id: NodeId): void {
    const member = this.member(id);
    if (member.node !== null) throw new Error(`node ${id} is running`);
    member.incarnation++;
    const node = new RaftNode(this.hostFor(member), this.options);
    member.node = node;
    node.start();
  }

  crash(id: NodeId, tearBytes: number, clean = false): void {
    const member = this.member(id);
    if (member.node === null) throw new Error(`node ${id} is not running`);
    member.node = null;
    member.disk.crash(tearBytes, clean);
    // Messages in flight to a crashed node are lost on arrival; drop them now for clarity.
    this.queue = this.queue.filter((m) => m.to !== id);
  }

  node(id: NodeId): RaftNode {
    const node = this.member(id).node;
    if (node === null) throw new Error(`node ${id} is not running`);
    return node;
  }

  member(id: NodeId): Member {
    const member = this.members.get(id);
    if (member === undefined) throw new Error(`no node ${id}`);
    return member;
  }

  running(): NodeId[] {
    return [...this.members.values()].filter((m) => m.node !== null).map((m) => m.id).sort(compareIds);
  }

  partition(groups: NodeId[][]): void {
    this.blocked.clear();
    for (const a of groups) {
      for (const b of groups) {
        if (a === b) continue;
        for (const x of a) for (const y of b) this.blocked.add(`${x}>${y}`);
      }
    }
  }

  heal(): void {
    this.blocked.clear();
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked.has(`${from}>${to}`);
  }

  /** Delivers the messages queued now (whose recipient is in `to`, or all); new ones wait. */
  deliver(to: readonly NodeId[] | null): number {
    const now = this.queue;
    const picked = now.filter((m) => to === null || to.includes(m.to));
    this.queue = now.filter((m) => !(to === null || to.includes(m.to)));
    for (const m of picked) {
      if (this.isBlocked(m.from, m.to)) {
        this.out.push(`${formatMessage(m.from, m.to, m.message)}  (dropped: partition)`);
        continue;
      }
      const member = this.members.get(m.to);
      if (member === undefined) {
        // A client: print what it received.
        this.out.push(formatMessage(m.from, m.to, m.message));
        continue;
      }
      if (member.node === null) {
        this.out.push(`${formatMessage(m.from, m.to, m.message)}  (dropped: ${m.to} is down)`);
        continue;
      }
      this.out.push(formatMessage(m.from, m.to, m.message));
      member.node.onMessage(m.from, m.message);
    }
    return picked.length;
  }

  /**
   * Completes the fsyncs pending on the given nodes' disks, and those the nodes start in response
   * (group commit issues the next fsync when one completes): afterwards everything written is
   * durable. Failing fails only the pending ones.
   */
  fsyncs(ids: readonly NodeId[], ok: boolean): number {
    let count = 0;
    for (const id of ids) {
      const member = this.member(id);
      for (let round = 0; round < 16 && member.disk.pending.length > 0; round++) {
        const done = ok ? member.disk.completeFsyncs() : member.disk.failFsyncs();
        for (const fsync of done) {
          count++;
          this.out.push(`${id}: fsync ${fsync.name} #${String(fsync.tag)} ${ok ? 'ok' : 'FAILED'}`);
          member.node?.onFsync(fsync.tag, ok);
        }
        if (!ok) break;
      }
    }
    return count;
  }

  pendingFsyncs(): number {
    let count = 0;
    for (const member of this.members.values()) count += member.disk.pending.length;
    return count;
  }

  /** A client request, delivered to `node` at once (the reply joins the queue). */
  request(client: string, node: NodeId, message: Message): void {
    this.out.push(formatMessage(client, node, message));
    if (this.isBlocked(client, node)) {
      this.out.push('  (dropped: partition)');
      return;
    }
    this.node(node).onMessage(client, message);
  }

  private hostFor(member: Member): Host {
    const cluster = this;
    const incarnation = member.incarnation;
    const random = new ScriptRandom(hashId(member.id) + incarnation * 7777);
    let timer = 0;
    const alive = () => member.node !== null && member.incarnation === incarnation;
    return {
      id: member.id,
      peers: () => cluster.peers,
      founding: () => (incarnation === 1 && cluster.founders.includes(member.id) ? cluster.founders : []),
      wallNow: () => 0,
      monotonicNow: () => 0,
      send(to: NodeId, message: Message): void {
        if (!alive()) return;
        cluster.queue.push({ from: member.id, to, message });
      },
      setTimer(_delay: number, _tag: TimerTag): TimerId {
        // Ticks are driven by the script (`tick`), not by time.
        return ++timer;
      },
      cancelTimer(): void {},
      disk: member.disk,
      random,
      log(kind: string, fields?: TraceFields): void {
        const rest = formatFields(fields);
        cluster.out.push(`${member.id}: ${kind}${rest.length > 0 ? ` ${rest}` : ''}`);
        cluster.onLog?.(member.id, kind, fields);
      },
      faultPoint: () => false,
      bug: (name: string) => cluster.bugs.has(name),
    };
  }
}

export function hashId(id: string): number {
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/** n2 before n10. */
export function compareIds(a: string, b: string): number {
  const na = /^([a-z]+)(\d+)$/.exec(a);
  const nb = /^([a-z]+)(\d+)$/.exec(b);
  if (na && nb && na[1] === nb[1]) return Number(na[2]) - Number(nb[2]);
  return a < b ? -1 : a > b ? 1 : 0;
}
