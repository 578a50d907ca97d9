// Fault targets of the scheduler: the node whose embedded Raft leads (the scheduler that acts) and
// a follower, from the role each node reports.
import type { TargetSets } from '../../faults/kind.js';

export const schedulerTargets: TargetSets = {
  names: ['leader', 'follower'],
  pick(name, view, live) {
    const leaders = live.filter((id) => view.status(id).role === 'leader');
    if (name === 'leader') return leaders[0] ?? null;
    if (name === 'follower') return live.find((id) => !leaders.includes(id)) ?? null;
    return null;
  },
};
