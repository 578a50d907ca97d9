// Consumer groups: the active controller is every group's coordinator. A group is one JSON document
// on the controller's Raft, `{generation, members, assignment, offsets}`, changed only by
// compare-and-set of the whole document, so a join, a member's expiry and an offset commit are
// serialised and a commit is judged against the generation it was made in: a member of an older
// generation (a consumer that missed a rebalance) is refused, never allowed to move a partition's
// committed offset back. Membership is eager: a new member's join, a leave or an expiry starts a
// new generation and reassigns every partition (a range assignor over the sorted members); the
// other members learn of it from their heartbeat's answer and join again, taking their share of
// that generation. Liveness of members is the coordinator's memory
// (heartbeats within `sessionTimeoutMs`); a new coordinator gives every member a full session.
import type { Host, NodeId } from '../host.js';
import { NS_PER_MS } from '../host.js';
import type { EmbeddedRaftKv } from '../raft/index.js';

export interface GroupDoc {
  generation: number;
  members: string[];
  /** Partitions per member. */
  assignment: Record<string, number[]>;
  /** Committed offset (the next offset to read) per partition. */
  offsets: Record<string, number>;
}

export interface GroupRequest {
  type: 'broker.group';
  id: number;
  action: 'join' | 'heartbeat' | 'commit' | 'leave';
  group: string;
  member: string;
  /** The member's generation (heartbeat, commit). */
  generation?: number;
  /** commit: the offsets to commit, by partition. */
  offsets?: Record<string, number>;
}

/**
 * `ok`; `rebalance`: the member's generation is over, join again; `stale-generation`: a commit from
 * an older generation, refused; `not-coordinator`: ask `coordinator`; `busy`: a change of the group
 * is in flight, try again; `unavailable`: the controller's Raft did not answer in time (unknown).
 */
export type GroupOutcome = 'ok' | 'rebalance' | 'stale-generation' | 'not-coordinator' | 'busy' | 'unavailable';

export interface GroupReply {
  type: 'broker.group.reply';
  id: number;
  outcome: GroupOutcome;
  generation?: number;
  partitions?: number[];
  offsets?: Record<string, number>;
  coordinator?: NodeId | null;
}

/** Groups one coordinator keeps in memory, at most; beyond, new groups are refused (busy). */
const GROUPS_MAX = 64;
/** Members of one group, at most. */
const MEMBERS_MAX = 64;

export function groupKey(group: string): string {
  return `g/${group}`;
}

/** The range assignor: sorted partitions dealt out in contiguous runs to the sorted members. */
export function rangeAssign(members: readonly string[], partitions: number): Record<string, number[]> {
  const sorted = [...members].sort();
  const assignment: Record<string, number[]> = {};
  let next = 0;
  sorted.forEach((member, k) => {
    const count = Math.floor(partitions / sorted.length) + (k < partitions % sorted.length ? 1 : 0);
    assignment[member] = Array.from({ length: count }, (_, j) => next + j);
    next += count;
  });
  return assignment;
}

/** The document after `members` changed: a new generation, everything reassigned, offsets kept. */
export function regroup(doc: GroupDoc | null, members: readonly string[], partitions: number): GroupDoc {
  const sorted = [...new Set(members)].sort();
  return { generation: (doc?.generation ?? 0) + 1, members: sorted, assignment: rangeAssign(sorted, partitions), offsets: { ...(doc?.offsets ?? {}) } };
}

/**
 * Whether a commit is accepted: only from a member of the current generation, for partitions it
 * owns. `fenced` false is the planted bug: any commit is accepted.
 */
export function commitAllowed(doc: GroupDoc, member: string, generation: number, partitions: readonly string[], fenced: boolean): boolean {
  if (!fenced) return true;
  if (generation !== doc.generation || !doc.members.includes(member)) return false;
  const owned = doc.assignment[member] ?? [];
  return partitions.every((partition) => owned.includes(Number(partition)));
}

export class GroupCoordinator {
  /** When each member of each group was last heard, on this node's monotonic clock. */
  private readonly heard = new Map<string, Map<string, number>>();
  private readonly pending = new Set<string>();
  private wasCoordinator = false;

  constructor(
    private readonly host: Host,
    private readonly raft: EmbeddedRaftKv,
    private readonly settings: { partitions: number; sessionTimeoutMs: number; proposeTimeoutMs: number; fenced: boolean },
  ) {}

  onRequest(from: NodeId, request: GroupRequest): void {
    const reply = (fields: Omit<GroupReply, 'type' | 'id'>) => this.host.send(from, { type: 'broker.group.reply', id: request.id, ...fields } satisfies GroupReply);
    if (!this.raft.isLeader()) return reply({ outcome: 'not-coordinator', coordinator: this.raft.leader() });
    if (typeof request.group !== 'string' || typeof request.member !== 'string') return;
    let members = this.heard.get(request.group);
    if (members === undefined) {
      if (this.heard.size >= GROUPS_MAX) return reply({ outcome: 'busy' });
      this.heard.set(request.group, (members = new Map()));
      // First sight of the group here: every member it lists gets a full session from now.
      for (const member of this.doc(request.group)?.members ?? []) members.set(member, this.host.monotonicNow());
    }
    if (request.action !== 'leave') members.set(request.member, this.host.monotonicNow());
    const doc = this.doc(request.group);
    switch (request.action) {
      case 'heartbeat': {
        if (doc === null || request.generation !== doc.generation || !doc.members.includes(request.member)) return reply({ outcome: 'rebalance', generation: doc?.generation ?? 0 });
        return reply({ outcome: 'ok', generation: doc.generation });
      }
      case 'join': {
        // A member already in the group (rejoining after it heard of a rebalance) takes its share of
        // the current generation; only a new member starts another one.
        if (doc !== null && doc.members.includes(request.member)) {
          return reply({ outcome: 'ok', generation: doc.generation, partitions: doc.assignment[request.member] ?? [], offsets: doc.offsets });
        }
        if (members.size > MEMBERS_MAX) return reply({ outcome: 'busy' });
        const live = [...members.keys()].filter((member) => member === request.member || doc?.members.includes(member) === true);
        const next = regroup(doc, live, this.settings.partitions);
        return this.change(request.group, doc, next, (ok) => (ok ? reply({ outcome: 'ok', generation: next.generation, partitions: next.assignment[request.member] ?? [], offsets: next.offsets }) : reply({ outcome: 'busy' })));
      }
      case 'leave': {
        members.delete(request.member);
        if (doc === null || !doc.members.includes(request.member)) return reply({ outcome: 'ok' });
        const next = regroup(doc, doc.members.filter((member) => member !== request.member), this.settings.partitions);
        return this.change(request.group, doc, next, (ok) => reply({ outcome: ok ? 'ok' : 'busy' }));
      }
      case 'commit': {
        const offsets = request.offsets ?? {};
        const partitions = Object.keys(offsets);
        if (doc === null || !commitAllowed(doc, request.member, request.generation ?? -1, partitions, this.settings.fenced)) {
          return reply({ outcome: 'stale-generation', generation: doc?.generation ?? 0 });
        }
        const next: GroupDoc = { ...doc, offsets: { ...doc.offsets, ...offsets } };
        return this.change(request.group, doc, next, (ok, unknown) => reply({ outcome: ok ? 'ok' : unknown ? 'unavailable' : 'busy', generation: doc.generation }));
      }
      default:
        return;
    }
  }

  /** Expires members not heard for a session: each expiry is a new generation. */
  tick(): void {
    const coordinator = this.raft.isLeader();
    if (coordinator && !this.wasCoordinator) this.heard.clear();
    this.wasCoordinator = coordinator;
    if (!coordinator) return;
    const now = this.host.monotonicNow();
    const sessionNs = this.settings.sessionTimeoutMs * NS_PER_MS;
    for (const [group, members] of this.heard) {
      const doc = this.doc(group);
      if (doc === null) continue;
      const live = doc.members.filter((member) => now - (members.get(member) ?? -Infinity) <= sessionNs);
      if (live.length === doc.members.length) continue;
      for (const member of doc.members) if (!live.includes(member)) members.delete(member);
      this.host.log('broker.group-expire', { group, generation: doc.generation, left: doc.members.filter((member) => !live.includes(member)).join(',') });
      this.change(group, doc, regroup(doc, live, this.settings.partitions), () => {});
    }
  }

  private doc(group: string): GroupDoc | null {
    const value = this.raft.read(groupKey(group));
    return typeof value === 'string' ? (JSON.parse(value) as GroupDoc) : null;
  }

  /** One change per group at a time, by compare-and-set of the whole document. */
  private change(group: string, doc: GroupDoc | null, next: GroupDoc, done: (ok: boolean, unknown: boolean) => void): void {
    if (this.pending.has(group)) return done(false, false);
    this.pending.add(group);
    const expected = doc === null ? null : (this.raft.read(groupKey(group)) as string);
    this.raft.propose({ f: 'cas', key: groupKey(group), value: [expected, JSON.stringify(next)] }, this.settings.proposeTimeoutMs * NS_PER_MS, (reply) => {
      this.pending.delete(group);
      if (reply !== null && reply.outcome === 'ok') this.host.log('broker.group', { group, generation: next.generation, members: next.members.join(','), offsets: JSON.stringify(next.offsets) });
      done(reply !== null && reply.outcome === 'ok', reply === null);
    });
  }
}
