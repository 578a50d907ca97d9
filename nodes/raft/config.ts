// Membership: configurations, joint consensus and learners. Changes are computed here as pure
// functions; the core decides when one may be proposed (at most one in flight).
import type { NodeId } from '../host.js';
import { assert, fail } from './assert.js';
import type { ConfigState } from './types.js';

export function makeConfig(voters: readonly NodeId[], outgoing: readonly NodeId[] = [], learners: readonly NodeId[] = []): ConfigState {
  const config = { voters: sortedUnique(voters), outgoing: sortedUnique(outgoing), learners: sortedUnique(learners) };
  checkConfig(config);
  return config;
}

/**
 * No configuration at all: what a node knows before it has learnt one from a leader (a node added
 * to a running cluster, or one that restarted with an empty disk). It has no voter, so its owner
 * never campaigns and grants no vote; a leader's append (or snapshot) brings the real one.
 */
export const NO_CONFIG: ConfigState = Object.freeze({ voters: [], outgoing: [], learners: [] });

export function isConfigured(config: ConfigState): boolean {
  return config.voters.length > 0;
}

export function checkConfig(config: ConfigState): void {
  assert(config.voters.length > 0, 'a configuration needs at least one voter');
  for (const learner of config.learners) {
    if (!(!config.voters.includes(learner) && !config.outgoing.includes(learner))) fail(`learner ${learner} is also a voter`);
  }
}

export function isJoint(config: ConfigState): boolean {
  return config.outgoing.length > 0;
}

/** A voter of either half. */
export function isVoter(config: ConfigState, id: NodeId): boolean {
  return config.voters.includes(id) || config.outgoing.includes(id);
}

export function isLearner(config: ConfigState, id: NodeId): boolean {
  return config.learners.includes(id);
}

export function isMember(config: ConfigState, id: NodeId): boolean {
  return isVoter(config, id) || isLearner(config, id);
}

const membersOf = new WeakMap<ConfigState, readonly NodeId[]>();

/** Every node the leader replicates to (voters of both halves and learners), sorted. Cached per configuration (they are immutable). */
export function allMembers(config: ConfigState): readonly NodeId[] {
  let members = membersOf.get(config);
  if (members === undefined) {
    members = sortedUnique([...config.voters, ...config.outgoing, ...config.learners]);
    membersOf.set(config, members);
  }
  return members;
}

export function sameConfig(a: ConfigState, b: ConfigState): boolean {
  return sameList(a.voters, b.voters) && sameList(a.outgoing, b.outgoing) && sameList(a.learners, b.learners);
}

export function configKey(config: ConfigState): string {
  return `${config.voters.join(',')}|${config.outgoing.join(',')}|${config.learners.join(',')}`;
}

/** Adding a member: it joins as a learner first and is promoted once it has caught up. */
export function addLearner(config: ConfigState, id: NodeId): ConfigState | null {
  assert(!isJoint(config), 'addLearner in a joint configuration');
  if (isMember(config, id)) return null;
  return makeConfig(config.voters, [], [...config.learners, id]);
}

/** Entering joint consensus: C_new = voters with `id` promoted from learner. */
export function enterJointPromote(config: ConfigState, id: NodeId): ConfigState {
  assert(!isJoint(config), 'promotion while joint');
  if (!(isLearner(config, id))) fail(`promote of ${id}, which is not a learner`);
  return makeConfig([...config.voters, id], config.voters, config.learners.filter((l) => l !== id));
}

/** Removing a member: a learner simply leaves; a voter leaves through joint consensus. */
export function removeMember(config: ConfigState, id: NodeId): ConfigState | null {
  assert(!isJoint(config), 'removeMember in a joint configuration');
  if (isLearner(config, id)) return makeConfig(config.voters, [], config.learners.filter((l) => l !== id));
  if (!config.voters.includes(id)) return null;
  if (config.voters.length === 1) return null;
  return makeConfig(config.voters.filter((v) => v !== id), config.voters, config.learners);
}

/** Leaving joint consensus: C_new alone. */
export function leaveJoint(config: ConfigState): ConfigState {
  assert(isJoint(config), 'leaveJoint outside joint consensus');
  return makeConfig(config.voters, [], config.learners);
}

/**
 * The unsafe shortcut of the planted bug `raft.unsafe-membership`: a change applied directly to
 * the newest voter set, with no learner or joint phase, even while another is still uncommitted.
 */
export function directChange(config: ConfigState, add: NodeId | null, remove: NodeId | null): ConfigState {
  let voters = [...config.voters];
  if (add !== null && !voters.includes(add)) voters.push(add);
  if (remove !== null) voters = voters.filter((v) => v !== remove);
  if (voters.length === 0) voters = [...config.voters];
  return makeConfig(voters, [], config.learners.filter((l) => !voters.includes(l)));
}

function sortedUnique(ids: readonly NodeId[]): NodeId[] {
  return [...new Set(ids)].sort();
}

function sameList(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
