// The consistent-hash ring (Dynamo section 4.2): each node owns `weight * vnodesPerWeight` tokens
// (virtual nodes) on a 32-bit circle; a key belongs to the first token at or after its hash, and its
// preference list is the first N *distinct* nodes met walking clockwise from there. Virtual nodes
// spread a node's share of keys over the circle, so a node that joins or leaves takes or gives a
// little from many others instead of all from one neighbour; weights give a bigger node more tokens.
//
// Pure data and pure functions: the node keeps one Ring per membership epoch and asks it questions.
import type { NodeId } from '../host.js';
import { hash32 } from './hash.js';

export interface RingMember {
  node: NodeId;
  /** Relative capacity, a positive integer: tokens = weight * vnodesPerWeight. */
  weight: number;
}

export interface RingConfig {
  /** Increases with every membership change; replicas compare epochs before trusting a ring. */
  epoch: number;
  members: readonly RingMember[];
  vnodesPerWeight: number;
}

interface Token {
  position: number;
  node: NodeId;
}

export class Ring {
  private readonly tokens: Token[];
  readonly nodes: readonly NodeId[];

  constructor(readonly config: RingConfig) {
    assert(config.members.length > 0, 'a ring needs a member');
    assert(Number.isSafeInteger(config.vnodesPerWeight) && config.vnodesPerWeight >= 1, 'vnodesPerWeight must be a positive integer');
    const seen = new Set<NodeId>();
    const tokens: Token[] = [];
    for (const member of config.members) {
      assert(!seen.has(member.node), `member ${member.node} listed twice`);
      assert(Number.isSafeInteger(member.weight) && member.weight >= 1, `member ${member.node}: weight must be a positive integer`);
      seen.add(member.node);
      for (let i = 0; i < member.weight * config.vnodesPerWeight; i++) {
        tokens.push({ position: hash32(`${member.node}#${i}`), node: member.node });
      }
    }
    // Ties (two tokens at one position) are ordered by node id, so every node builds the same ring.
    tokens.sort((a, b) => a.position - b.position || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    this.tokens = tokens;
    this.nodes = [...seen].sort();
  }

  /** Where a key sits on the circle. */
  static position(key: string): number {
    return hash32(key);
  }

  /**
   * Every member in the order a key's requests should prefer them: the first `n` are the key's
   * primaries (its preference list), the rest are the fallbacks a sloppy quorum uses, nearest first.
   */
  walk(key: string): NodeId[] {
    const start = this.firstTokenAtOrAfter(Ring.position(key));
    const order: NodeId[] = [];
    for (let step = 0; step < this.tokens.length && order.length < this.nodes.length; step++) {
      const node = this.tokens[(start + step) % this.tokens.length]!.node;
      if (!order.includes(node)) order.push(node);
    }
    return order;
  }

  /** The key's preference list: N distinct nodes (fewer when the ring has fewer members). */
  preferenceList(key: string, n: number): NodeId[] {
    return this.walk(key).slice(0, n);
  }

  /** The fraction of the circle whose keys have `node` first in their list (for tests and status). */
  share(node: NodeId): number {
    let owned = 0;
    for (let i = 0; i < this.tokens.length; i++) {
      const token = this.tokens[i]!;
      const previous = this.tokens[(i - 1 + this.tokens.length) % this.tokens.length]!;
      // A token owns the arc from the previous token (exclusive) up to itself.
      const arc = i === 0 ? token.position + (2 ** 32 - previous.position) : token.position - previous.position;
      if (token.node === node) owned += arc;
    }
    return owned / 2 ** 32;
  }

  private firstTokenAtOrAfter(position: number): number {
    let low = 0;
    let high = this.tokens.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.tokens[middle]!.position < position) low = middle + 1;
      else high = middle;
    }
    return low === this.tokens.length ? 0 : low;
  }
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`ring: ${message}`);
}
