// A cluster on this machine for one test: K node processes on loopback, each behind a fault proxy
// that runs inside the test runner's process (so rules change at once, with no control hop).
// Every node is started with --parent-pid, so none outlives the runner even if it is killed.
import fs from 'node:fs';
import path from 'node:path';
import type { NodeId } from '../../nodes/host.js';
import { formatAddress } from '../tcp/address.js';
import type { LogFn } from '../tcp/connection.js';
import type { Address } from '../tcp/link.js';
import { freePorts } from '../tcp/ports.js';
import { FaultProxy, type LinkRule } from '../tcp/proxy.js';
import type { ClusterDriver } from './driver.js';
import { REPO_ROOT, nodeLaunchFor } from './node-command.js';
import { NodeProcesses } from './processes.js';

export interface LocalClusterOptions {
  system: string;
  /** The module the system was loaded from (`--plugin FILE`); the nodes load it too. */
  pluginPath?: string;
  nodes: readonly NodeId[];
  /** Working directory of this cluster: data, traces, logs, the secret. */
  dir: string;
  secret: string;
  seed: number;
  bugs: readonly string[];
  /** Program and leading arguments that start a node (default: `nodeLaunch()`); the node flags are appended. */
  nodeCommand?: readonly string[];
  host?: string;
  log: LogFn;
  readyMsMax?: number;
  /** Put a fault proxy in front of each node (default). Without, links cannot be faulted (benchmarks). */
  proxies?: boolean;
}

export class LocalDriver implements ClusterDriver {
  readonly nodes: readonly NodeId[];
  readonly secret: string;
  private readonly proxies = new Map<NodeId, FaultProxy>();
  private readonly nodePorts = new Map<NodeId, number>();
  private readonly proxyPorts = new Map<NodeId, number>();
  private processes: NodeProcesses | null = null;
  private readonly host: string;
  private pluginFlags: string[] = [];

  private readonly options: LocalClusterOptions;

  constructor(options: LocalClusterOptions) {
    if (options.nodes.length === 0) throw new Error('local cluster: no nodes');
    this.options = { ...options, dir: path.resolve(options.dir) };
    this.nodes = [...options.nodes];
    this.secret = options.secret;
    this.host = options.host ?? '127.0.0.1';
  }

  get dir(): string {
    return this.options.dir;
  }

  secretFile(): string {
    return path.join(this.options.dir, 'secret');
  }

  dataDir(id: NodeId): string {
    return path.join(this.options.dir, 'data', id);
  }

  traceFile(id: NodeId): string {
    return path.join(this.options.dir, `${id}.trace.jsonl`);
  }

  logFile(id: NodeId): string {
    return path.join(this.options.dir, `${id}.log`);
  }

  /** Where peers and clients reach a node: its proxy, or the node itself without proxies. */
  private reachable(id: NodeId): Address {
    const ports = this.options.proxies === false ? this.nodePorts : this.proxyPorts;
    return { host: this.host, port: ports.get(id)! };
  }

  clientAddresses(): Record<NodeId, Address> {
    return Object.fromEntries(this.nodes.map((id) => [id, this.reachable(id)]));
  }

  adminAddress(id: NodeId): Address {
    return { host: this.host, port: this.nodePorts.get(id)! };
  }

  proxy(id: NodeId): FaultProxy {
    const proxy = this.proxies.get(id);
    if (proxy === undefined) throw new Error(`local cluster: no proxy for ${id}`);
    return proxy;
  }

  async start(): Promise<void> {
    fs.mkdirSync(path.join(this.options.dir, 'data'), { recursive: true });
    fs.writeFileSync(this.secretFile(), `${this.secret}\n`, { mode: 0o600 });
    const ports = await freePorts(this.nodes.length * 2, this.host);
    this.nodes.forEach((id, index) => {
      this.nodePorts.set(id, ports[index * 2]!);
      this.proxyPorts.set(id, ports[index * 2 + 1]!);
    });
    for (const id of this.options.proxies === false ? [] : this.nodes) {
      const proxy = new FaultProxy({
        node: id,
        listen: { host: this.host, port: this.proxyPorts.get(id)! },
        target: { host: this.host, port: this.nodePorts.get(id)! },
        seed: this.options.seed,
        log: this.options.log,
      });
      this.proxies.set(id, proxy);
      await proxy.start();
    }
    const { command, pluginFlags } = await nodeLaunchFor(this.options.nodeCommand, this.options.pluginPath);
    this.pluginFlags = pluginFlags;
    this.processes = new NodeProcesses(
      this.nodes.map((id) => ({ id, argv: [...command, ...this.nodeFlags(id)], logFile: this.logFile(id), cwd: REPO_ROOT })),
      this.options.readyMsMax,
    );
    const processes = this.processes;
    await Promise.all(this.nodes.map((id) => processes.start(id)));
  }

  /** The flags of `crucible node` for one node of this cluster. */
  nodeFlags(id: NodeId): string[] {
    const peers = this.nodes
      .filter((peer) => peer !== id)
      .map((peer) => `${peer}=${formatAddress(this.reachable(peer))}`)
      .join(',');
    const flags = [
      '--system', this.options.system,
      '--id', id,
      '--listen', formatAddress({ host: this.host, port: this.nodePorts.get(id)! }),
      '--data', this.dataDir(id),
      '--trace', this.traceFile(id),
      '--secret-file', this.secretFile(),
      '--seed', String(this.options.seed),
      '--parent-pid', String(process.pid),
      ...this.pluginFlags,
    ];
    if (peers.length > 0) flags.push('--peers', peers);
    if (this.options.bugs.length > 0) flags.push('--bug', this.options.bugs.join(','));
    return flags;
  }

  async kill(id: NodeId): Promise<void> {
    await this.need().kill(id);
  }

  async restart(id: NodeId): Promise<void> {
    await this.need().start(id);
  }

  async pause(id: NodeId): Promise<void> {
    this.need().pause(id);
  }

  async resume(id: NodeId): Promise<void> {
    this.need().resume(id);
  }

  async setRules(id: NodeId, rules: LinkRule[]): Promise<void> {
    this.proxy(id).setRules(rules);
  }

  problems(): string[] {
    return (this.processes?.unexpectedExits ?? []).map(
      (exit) => `${exit.id} exited by itself (code ${exit.code}, signal ${exit.signal}): ${exit.stderrTail.slice(-5).join(' | ') || 'no stderr'}`,
    );
  }

  isRunning(id: NodeId): boolean {
    return this.processes?.isRunning(id) ?? false;
  }

  async stop(): Promise<void> {
    await this.processes?.stopAll();
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.stop()));
  }

  private need(): NodeProcesses {
    if (this.processes === null) throw new Error('local cluster: not started');
    return this.processes;
  }
}
