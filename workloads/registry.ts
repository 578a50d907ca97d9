// Every system the CLI knows, registered the way a user's own system will be.
import type { SystemPlugin } from './system.js';
import { raftSystem } from './raft/plugin.js';
import { quorumKvSystem } from './quorum-kv/plugin.js';
import { brokerSystem } from './broker/plugin.js';
import { cacheSystem } from './cache/plugin.js';
import { schedulerSystem } from './scheduler/plugin.js';

export const systems: readonly SystemPlugin[] = [raftSystem, quorumKvSystem, brokerSystem, cacheSystem, schedulerSystem];

export function findSystem(name: string): SystemPlugin | undefined {
  return systems.find((system) => system.name === name);
}
