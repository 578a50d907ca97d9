// The planted bugs of the quorum KV. Each, when named by `--bug`, switches a real change at the
// point where the correct code decides; all are off otherwise. The shape matches PlantedBug of
// workloads/system.ts, declared here because nodes/ may import only nodes/host.ts.
import type { Host } from '../host.js';

export interface QuorumKvPlantedBug {
  name: string;
  description: string;
}

export const quorumKvBugs: readonly QuorumKvPlantedBug[] = [
  { name: 'kv.no-write-back', description: 'linearizable reads answer from the read quorum without writing the freshest version back first (a new-then-old inversion)' },
  { name: 'kv.sloppy-as-strict', description: 'linearizable writes use sloppy quorums: fallbacks stand in for unreachable primaries and count toward R and W' },
  { name: 'kv.lww-wall-clock', description: "write tags are the coordinator's raw wall clock, not one past the newest tag seen: under clock skew a later write sorts first and is lost" },
  { name: 'kv.vv-merge', description: 'merge drops a concurrent sibling when the other copy holds one with a larger tag, as if it were dominated' },
  { name: 'kv.hint-overwrites-newer', description: "a replayed hint replaces the primary's copy instead of merging into it, erasing versions newer than the hint" },
  { name: 'kv.paxos-unpersisted-promise', description: "an acceptor answers a prepare before its promise is fsynced: a crash that loses the unsynced tail forgets the promise, and a lower ballot's value can then be chosen beside the higher one's" },
  { name: 'kv.early-tombstone-gc', description: 'a replica purges a deleted key as soon as its copy is only tombstones, without the grace period or every replica holding them: a replica that missed the delete brings the value back' },
  { name: 'kv.merkle-skip-delete', description: 'anti-entropy never streams a deleted key: a replica that missed the delete keeps the value and the trees never agree' },
];

export interface QuorumKvBugSwitches {
  noWriteBack: boolean;
  sloppyAsStrict: boolean;
  lwwWallClock: boolean;
  vvMerge: boolean;
  hintOverwritesNewer: boolean;
  paxosUnpersistedPromise: boolean;
  earlyTombstoneGc: boolean;
  merkleSkipDelete: boolean;
}

export function bugsFromHost(host: Pick<Host, 'bug'>): QuorumKvBugSwitches {
  return {
    noWriteBack: host.bug('kv.no-write-back'),
    sloppyAsStrict: host.bug('kv.sloppy-as-strict'),
    lwwWallClock: host.bug('kv.lww-wall-clock'),
    vvMerge: host.bug('kv.vv-merge'),
    hintOverwritesNewer: host.bug('kv.hint-overwrites-newer'),
    paxosUnpersistedPromise: host.bug('kv.paxos-unpersisted-promise'),
    earlyTombstoneGc: host.bug('kv.early-tombstone-gc'),
    merkleSkipDelete: host.bug('kv.merkle-skip-delete'),
  };
}
