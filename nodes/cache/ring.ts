// The cache ring: consistent hashing with virtual nodes and weights (ketama), stamped with a
// membership epoch. A key belongs to the first vnode at or after its hash; every client and every
// cache node builds the ring from the same member list, and requests carry the epoch, so a node
// whose ring differs from the client's says so instead of answering for keys it may not own.
// Bounded-load routing (Mirrokni, Thorup and Zadimoghaddam) is `ownerBounded`: walk on from the
// owner while a node already carries more than ceil(c * average) keys.
//
// Pure data and pure functions.
import type { NodeId } from '../host.js';
// The member and config shapes, and the string hash, are the quorum KV's (its public surface):
// one ring vocabulary in the lab. The epoch is raised on every membership change; a request from
// another epoch is refused, never guessed at.
import { Ring, type RingConfig, type RingMember } from '../quorum-kv/index.js';

export type { RingConfig, RingMember };

/** A 32-bit position on the circle (the quorum KV ring's hash, so both rings agree on keys). */
export function hash32(text: string): number {
  return Ring.position(text);
}

/** Vnodes per unit of weight unless a ring says otherwise: enough for a share within a few percent. */
export const VNODES_PER_WEIGHT = 64;

interface Point {
  position: number;
  node: NodeId;
}

export class CacheRing {
  private readonly points: Point[];
  readonly nodes: readonly NodeId[];
  readonly epoch: number;

  constructor(readonly config: RingConfig) {
    assert(config.members.length > 0, 'a ring needs a member');
    assert(Number.isSafeInteger(config.epoch) && config.epoch >= 1, 'epoch must be a positive integer');
    assert(Number.isSafeInteger(config.vnodesPerWeight) && config.vnodesPerWeight >= 1, 'vnodesPerWeight must be a positive integer');
    const seen = new Set<NodeId>();
    const points: Point[] = [];
    for (const member of config.members) {
      assert(!seen.has(member.node), `member ${member.node} listed twice`);
      assert(Number.isSafeInteger(member.weight) && member.weight >= 1, `member ${member.node}: weight must be a positive integer`);
      seen.add(member.node);
      for (let i = 0; i < member.weight * config.vnodesPerWeight; i++) points.push({ position: hash32(`${member.node}-${i}`), node: member.node });
    }
    // Ties are ordered by node id, so every process builds the same ring.
    points.sort((a, b) => a.position - b.position || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    this.points = points;
    this.nodes = [...seen].sort();
    this.epoch = config.epoch;
  }

  /** The key's owner. */
  owner(key: string): NodeId {
    return this.points[this.firstAtOrAfter(hash32(key))]!.node;
  }

  /** Distinct nodes clockwise from the key's position, the owner first, at most `count`. */
  successors(key: string, count: number): NodeId[] {
    const start = this.firstAtOrAfter(hash32(key));
    const order: NodeId[] = [];
    for (let step = 0; step < this.points.length && order.length < Math.min(count, this.nodes.length); step++) {
      const node = this.points[(start + step) % this.points.length]!.node;
      if (!order.includes(node)) order.push(node);
    }
    return order;
  }

  /**
   * Bounded loads: the first node clockwise whose load (keys already placed, `loads`) is below
   * ceil(balance * (placed + 1) / members). With balance > 1 some node always qualifies.
   */
  ownerBounded(key: string, loads: ReadonlyMap<NodeId, number>, balance: number): NodeId {
    assert(balance > 1, 'balance must exceed 1');
    let placed = 0;
    for (const load of loads.values()) placed += load;
    const cap = Math.ceil((balance * (placed + 1)) / this.nodes.length);
    for (const node of this.successors(key, this.nodes.length)) if ((loads.get(node) ?? 0) < cap) return node;
    throw new Error('cache ring: bounded loads found no node under the cap (balance > 1 makes that impossible)');
  }

  private firstAtOrAfter(position: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid]!.position < position) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.points.length ? 0 : lo;
  }
}

/** The fraction of `keys` whose owner differs between two rings (the moved-key fraction). */
export function movedFraction(before: CacheRing, after: CacheRing, keys: readonly string[]): number {
  if (keys.length === 0) return 0;
  let moved = 0;
  for (const key of keys) if (before.owner(key) !== after.owner(key)) moved += 1;
  return moved / keys.length;
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`cache ring: ${message}`);
}
