// The planted bugs of the broker. Each, named by `--bug`, switches a real change where the correct
// code decides; all are off otherwise.
import type { Host, PlantedBug } from '../host.js';

export const brokerBugs: readonly PlantedBug[] = [
  {
    name: 'broker.unclean-election',
    description: 'the controller elects the first live assigned replica as the new leader, in the ISR or not (unclean election while clean candidates exist)',
  },
  {
    name: 'broker.truncate-to-hw',
    description: 'pre-KIP-101: a follower truncates its log to its own high watermark when it (re)starts following, and the leader does no epoch check on fetch',
  },
  { name: 'broker.read-above-hw', description: 'consumer fetches are served up to the log end offset instead of the high watermark' },
  {
    name: 'broker.seq-not-persisted',
    description: "idempotent producers' sequence state lives only in the leader's memory: not rebuilt from the log on restart, not learned by followers, so a retry after a failover is appended again",
  },
  { name: 'broker.unfenced-group-commit', description: 'the group coordinator accepts offset commits from any generation, so a consumer that missed a rebalance moves a committed offset back' },
];

export interface BrokerBugSwitches {
  uncleanElection: boolean;
  truncateToHw: boolean;
  readAboveHw: boolean;
  seqNotPersisted: boolean;
  unfencedGroupCommit: boolean;
}

export function bugsFromHost(host: Pick<Host, 'bug'>): BrokerBugSwitches {
  return {
    uncleanElection: host.bug('broker.unclean-election'),
    truncateToHw: host.bug('broker.truncate-to-hw'),
    readAboveHw: host.bug('broker.read-above-hw'),
    seqNotPersisted: host.bug('broker.seq-not-persisted'),
    unfencedGroupCommit: host.bug('broker.unfenced-group-commit'),
  };
}
