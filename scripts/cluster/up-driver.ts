// `cluster test --target up`: drives the cluster `cluster up` started in a directory. Kills and
// pauses are signals to the pids in its pid files (checked to still be our processes); a killed
// node is started again from the command line recorded in cluster.json; links go through the
// proxies' control ports. The cluster outlives the test.
import fs from 'node:fs';
import type { NodeId } from '../../nodes/host.js';
import { queryStatus } from '../tcp/admin.js';
import type { Address } from '../tcp/link.js';
import { type LinkRule, proxyControl } from '../tcp/proxy.js';
import { ClusterError, type ClusterState, isAlive, readState, runningPid, secretPath, startNode } from './daemon.js';
import { type ClusterDriver, clusterHealth } from './driver.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class UpDriver implements ClusterDriver {
  readonly nodes: readonly NodeId[];
  readonly secret: string;
  readonly state: ClusterState;
  private readonly issues: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly readyMsMax = 30_000,
  ) {
    this.state = readState(dir);
    this.nodes = this.state.nodes.map((node) => node.id);
    this.secret = fs.readFileSync(secretPath(dir), 'utf8').trim();
  }

  private node(id: NodeId) {
    const node = this.state.nodes.find((candidate) => candidate.id === id);
    if (node === undefined) throw new ClusterError(`no node ${id} in ${this.dir}`);
    return node;
  }

  private pid(id: NodeId): number {
    const pid = runningPid(this.dir, id, id);
    if (pid === null) throw new Error(`${id} is not running`);
    return pid;
  }

  clientAddresses(): Record<NodeId, Address> {
    return Object.fromEntries(this.state.nodes.map((node) => [node.id, { host: node.host, port: node.proxyPort }]));
  }

  adminAddress(id: NodeId): Address {
    const node = this.node(id);
    return { host: node.host, port: node.port };
  }

  async start(): Promise<void> {
    const silent = (await clusterHealth(this, 2_000)).filter((node) => node.host === null);
    if (silent.length > 0) {
      throw new ClusterError(`the cluster in ${this.dir} is not healthy (${silent.map((node) => node.id).join(', ')} did not answer): see crucible cluster status`);
    }
    await Promise.all(this.nodes.map((id) => this.setRules(id, [])));
  }

  async kill(id: NodeId): Promise<void> {
    const pid = this.pid(id);
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 5_000;
    while (isAlive(pid)) {
      if (Date.now() > deadline) throw new Error(`${id} (pid ${pid}) survived SIGKILL for 5 s`);
      await sleep(10);
    }
  }

  async restart(id: NodeId): Promise<void> {
    startNode(this.dir, this.node(id));
    const deadline = Date.now() + this.readyMsMax;
    for (;;) {
      try {
        await queryStatus(this.adminAddress(id), this.secret, id, 500);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`${id} did not answer within ${this.readyMsMax} ms of its restart: ${(error as Error).message}`);
        await sleep(50);
      }
    }
  }

  async pause(id: NodeId): Promise<void> {
    process.kill(this.pid(id), 'SIGSTOP');
  }

  async resume(id: NodeId): Promise<void> {
    process.kill(this.pid(id), 'SIGCONT');
  }

  async setRules(id: NodeId, rules: LinkRule[]): Promise<void> {
    const node = this.node(id);
    const reply = await proxyControl({ host: node.host, port: node.controlPort }, this.secret, id, { op: 'rules', rules });
    if (!reply.ok) throw new Error(`proxy of ${id} refused the rules: ${reply.error}`);
  }

  problems(): string[] {
    return [...this.issues];
  }

  async stop(): Promise<void> {
    for (const node of await clusterHealth(this, 2_000)) {
      if (node.host === null) this.issues.push(`${node.id} did not answer at the end of the test: ${node.error}`);
      else if (node.host.failed) this.issues.push(`${node.id}: a handler threw: ${node.host.failed}`);
    }
  }
}
