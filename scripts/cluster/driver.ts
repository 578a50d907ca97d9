// What the cluster runner needs from a live cluster, wherever it runs: on this machine as child
// processes (local-driver.ts) or in Docker containers (compose-driver.ts). Faults come from
// outside the nodes: signals to their processes and rules on their proxies.
import type { NodeId, NodeStatus } from '../../nodes/host.js';
import { clusterReady, type SystemPlugin } from '../../workloads/system.js';
import { queryStatus } from '../tcp/admin.js';
import type { Address } from '../tcp/link.js';
import type { LinkRule } from '../tcp/proxy.js';
import type { HostStatus } from '../tcp/wire.js';

export interface ClusterDriver {
  readonly nodes: readonly NodeId[];
  readonly secret: string;
  /** Where clients dial each node: its proxy, so links to clients can be cut too. */
  clientAddresses(): Readonly<Record<NodeId, Address>>;
  /** Where an operator asks a node's host for its status. */
  adminAddress(id: NodeId): Address;
  /** Brings the cluster up (or checks that it is up) and resolves when every node is ready. */
  start(): Promise<void>;
  /** SIGKILL: a crash with no chance to flush. */
  kill(id: NodeId): Promise<void>;
  /** Starts a killed node again on its data directory; resolves once it is ready. */
  restart(id: NodeId): Promise<void>;
  /** SIGSTOP / SIGCONT. */
  pause(id: NodeId): Promise<void>;
  resume(id: NodeId): Promise<void>;
  /** Replaces the rules of the proxy in front of `id`. */
  setRules(id: NodeId, rules: LinkRule[]): Promise<void>;
  /** Things that went wrong outside the test's control: nodes that exited by themselves, and why. */
  problems(): string[];
  stop(): Promise<void>;
}

export interface NodeHealth {
  id: NodeId;
  /** The host's answer, or null with the reason it did not answer. */
  host: HostStatus | null;
  error: string | null;
}

/** Asks every node for its status at once; a node that does not answer gets its reason. */
export async function clusterHealth(driver: Pick<ClusterDriver, 'nodes' | 'secret' | 'adminAddress'>, timeoutMs = 1_000): Promise<NodeHealth[]> {
  return Promise.all(
    driver.nodes.map(async (id) => {
      try {
        return { id, host: await queryStatus(driver.adminAddress(id), driver.secret, id, timeoutMs), error: null };
      } catch (error) {
        return { id, host: null, error: (error as Error).message };
      }
    }),
  );
}

/** The statuses as the plugin's readiness rule reads them: a node that did not answer is down, with why. */
export function nodeStatuses(health: readonly NodeHealth[]): Record<NodeId, NodeStatus> {
  const statuses: Record<NodeId, NodeStatus> = {};
  for (const node of health) {
    if (node.host === null) statuses[node.id] = { down: `no status answer: ${node.error ?? 'unknown'}` };
    else if (node.host.failed !== null) statuses[node.id] = { ...node.host.status, down: `a handler threw: ${node.host.failed}` };
    else statuses[node.id] = node.host.status;
  }
  return statuses;
}

/**
 * Waits until the system says the cluster is ready to take clients (`clusterReady`: the plugin's
 * own rule, such as "some node leads", or every node answering), within a bound. Resolves with
 * whether it became ready and the last statuses, so a caller can say what it saw.
 */
export async function waitForReady(
  driver: Pick<ClusterDriver, 'nodes' | 'secret' | 'adminAddress'>,
  plugin: Pick<SystemPlugin, 'ready'>,
  timeoutMs: number,
): Promise<{ ready: boolean; statuses: Record<NodeId, NodeStatus> }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = nodeStatuses(await clusterHealth(driver, 500));
    if (clusterReady(plugin, statuses)) return { ready: true, statuses };
    if (Date.now() > deadline) return { ready: false, statuses };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
