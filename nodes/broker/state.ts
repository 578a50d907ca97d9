// What the controller keeps on Raft per partition (KRaft's PartitionRecord, as a JSON string per
// key), the replica assignment, and the controller's pure decisions: who leads after a leader is
// gone, clean or unclean. Every change goes through a compare-and-set of the whole document, so a
// broker acting on an old document (a deposed leader shrinking its ISR) fails.
import type { NodeId } from '../host.js';

export interface PartitionState {
  replicas: NodeId[];
  leader: NodeId | null;
  leaderEpoch: number;
  isr: NodeId[];
  /** Bumped by every change, the leader's ISR changes included (KIP-497's partition epoch). */
  partitionEpoch: number;
}

export function partitionKey(partition: number): string {
  return `p/${partition}`;
}

export const CONFIG_KEY = 'config/unclean';

/** Replicas of `partition`: `rf` brokers in a row of the sorted broker list, starting at the partition's number. */
export function assignReplicas(brokers: readonly NodeId[], partition: number, rf: number): NodeId[] {
  const count = Math.min(rf, brokers.length);
  return Array.from({ length: count }, (_, k) => brokers[(partition + k) % brokers.length]!);
}

export function initialState(replicas: readonly NodeId[]): PartitionState {
  return { replicas: [...replicas], leader: replicas[0] ?? null, leaderEpoch: 0, isr: [...replicas], partitionEpoch: 0 };
}

export function encodeState(state: PartitionState): string {
  return JSON.stringify(state);
}

export function decodeState(value: number | string | null): PartitionState | null {
  if (typeof value !== 'string') return null;
  const state = JSON.parse(value) as PartitionState;
  return state;
}

export interface ElectionRules {
  /** unclean.leader.election.enable: with no live ISR member, a live out-of-sync replica may lead. */
  uncleanAllowed: boolean;
  /** The planted bug: any live replica may lead, in sync or not. */
  anyReplica: boolean;
}

/**
 * The state after the controller found `state.leader` gone (or absent): a live ISR member leads
 * at the next epoch, the old leader leaves the ISR (unless it is the last member, KIP-966's last
 * known leader). With no live ISR member, unclean election when allowed (the ISR becomes the new
 * leader alone), else no leader. Null when nothing changes.
 */
export function electLeader(state: PartitionState, alive: (id: NodeId) => boolean, rules: ElectionRules): PartitionState | null {
  const gone = state.leader;
  const candidates = rules.anyReplica ? state.replicas.filter((id) => id !== gone && alive(id)) : state.isr.filter((id) => id !== gone && alive(id));
  const clean = candidates.filter((id) => state.isr.includes(id));
  let leader: NodeId | null = rules.anyReplica ? (candidates[0] ?? null) : (clean[0] ?? null);
  let isr = state.isr.length > 1 ? state.isr.filter((id) => id !== gone) : state.isr;
  if (leader !== null && !isr.includes(leader)) isr = [leader];
  if (leader === null && rules.uncleanAllowed) {
    leader = state.replicas.find((id) => id !== gone && alive(id)) ?? null;
    if (leader !== null) isr = [leader];
  }
  if (leader === null && gone === null) return null;
  return { ...state, leader, leaderEpoch: state.leaderEpoch + 1, isr, partitionEpoch: state.partitionEpoch + 1 };
}
