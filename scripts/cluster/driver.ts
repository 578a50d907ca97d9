// What the cluster runner needs from a live cluster, wherever it runs: on this machine as child
// processes (local-driver.ts) or in Docker containers (compose-driver.ts). Faults come from
// outside the nodes: signals to their processes and rules on their proxies.
import type { NodeId } from '../../nodes/host.js';
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

/** The node that says it leads with the highest term, or null. */
export function leaderOf(health: readonly NodeHealth[]): NodeId | null {
  let leader: NodeId | null = null;
  let term = -1;
  for (const node of health) {
    const status = node.host?.status;
    if (status?.role !== 'leader' || status.down !== undefined) continue;
    const nodeTerm = typeof status.term === 'number' ? status.term : 0;
    if (nodeTerm > term) {
      leader = node.id;
      term = nodeTerm;
    }
  }
  return leader;
}

/** Waits until some node leads (when the system reports roles at all), within a bound. */
export async function waitForLeader(driver: Pick<ClusterDriver, 'nodes' | 'secret' | 'adminAddress'>, timeoutMs: number): Promise<NodeId | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await clusterHealth(driver, 500);
    const leader = leaderOf(health);
    if (leader !== null) return leader;
    const reportsRoles = health.some((node) => node.host?.status.role !== undefined);
    if (!reportsRoles && health.every((node) => node.host !== null)) return null;
    if (Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
