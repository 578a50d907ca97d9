// The planted bugs of the Raft node. Each one, when named by `--bug`, switches a real change in the
// real code path (the switch sits where the correct code makes the decision); all are off otherwise.
import type { Host, PlantedBug } from '../host.js';

export type RaftPlantedBug = PlantedBug;

export const raftBugs: readonly RaftPlantedBug[] = [
  { name: 'raft.stale-local-read', description: 'reads answered from the local state machine with no ReadIndex (any node, leader or not)' },
  { name: 'raft.early-read-index', description: 'ReadIndex served before the new leader has committed an entry of its term' },
  { name: 'raft.unpersisted-vote', description: 'vote and term not fsynced before the vote reply' },
  { name: 'raft.figure8-commit', description: 'commit index advanced for an entry of an earlier term by counting replicas (paper Figure 8)' },
  { name: 'raft.unsafe-membership', description: 'a second configuration change accepted while one is uncommitted: changes go straight into the voter set, no learner phase, no joint consensus' },
  { name: 'raft.compact-past-applied', description: 'compaction to the commit index, discarding committed entries not yet applied' },
  { name: 'raft.no-client-dedup', description: 'client sessions ignored: a retried command is applied twice' },
  { name: 'raft.self-made-config', description: 'a node without a configuration on disk (added to a running cluster, or restarted with an empty log) makes one up from the current peer list and votes in it' },
  { name: 'raft.trust-unsynced-recovery', description: 'a restart trusts the WAL bytes it reads back as durable without fsyncing them (a torn crash leaves them in the page cache only)' },
  { name: 'raft.no-prevote-checkquorum', description: 'liveness bug: PreVote and CheckQuorum off, so a node cut off on one side keeps disrupting the leader' },
  { name: 'raft.txn-read-uncommitted', description: 'read-only transactions answered by the leader at once from its whole log, uncommitted and unapplied entries included' },
  { name: 'raft.txn-non-atomic', description: 'a transaction proposed and applied as one log entry per micro-op, so other commands commit in between' },
  { name: 'raft.txn-stale-snapshot-read', description: 'read-only transactions served by any node at its local applied index, without ReadIndex' },
];

export interface RaftBugSwitches {
  staleLocalRead: boolean;
  earlyReadIndex: boolean;
  unpersistedVote: boolean;
  figure8Commit: boolean;
  unsafeMembership: boolean;
  compactPastApplied: boolean;
  noClientDedup: boolean;
  noPrevoteCheckquorum: boolean;
  selfMadeConfig: boolean;
  trustUnsyncedRecovery: boolean;
  txnReadUncommitted: boolean;
  txnNonAtomic: boolean;
  txnStaleSnapshotRead: boolean;
}

export function bugsFromHost(host: Pick<Host, 'bug'>): RaftBugSwitches {
  return {
    staleLocalRead: host.bug('raft.stale-local-read'),
    earlyReadIndex: host.bug('raft.early-read-index'),
    unpersistedVote: host.bug('raft.unpersisted-vote'),
    figure8Commit: host.bug('raft.figure8-commit'),
    unsafeMembership: host.bug('raft.unsafe-membership'),
    compactPastApplied: host.bug('raft.compact-past-applied'),
    noClientDedup: host.bug('raft.no-client-dedup'),
    noPrevoteCheckquorum: host.bug('raft.no-prevote-checkquorum'),
    selfMadeConfig: host.bug('raft.self-made-config'),
    trustUnsyncedRecovery: host.bug('raft.trust-unsynced-recovery'),
    txnReadUncommitted: host.bug('raft.txn-read-uncommitted'),
    txnNonAtomic: host.bug('raft.txn-non-atomic'),
    txnStaleSnapshotRead: host.bug('raft.txn-stale-snapshot-read'),
  };
}
