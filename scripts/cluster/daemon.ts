// `cluster up|down|status`: a long-lived cluster on this machine. K node processes and K fault
// proxies (one in front of each node), detached from the shell that started them, with pid files,
// logs and data under one directory (default `.crucible/cluster/`), described by `cluster.json`.
//
// Ports from a base (default 7000): node i listens on base+i, its proxy on base+100+i (the address
// clients and peers use), the proxy's control port on base+200+i. All on loopback by default.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { NodeId, NodeStatus } from '../../nodes/host.js';
import type { SystemPlugin } from '../../workloads/system.js';
import { resolvePlugin } from '../lab/plugin.js';
import { newSecret } from '../tcp/auth.js';
import { formatAddress } from '../tcp/address.js';
import type { Address } from '../tcp/link.js';
import { type ProxyStats, proxyControl } from '../tcp/proxy.js';
import { type NodeHealth, clusterHealth, nodeStatuses, waitForReady } from './driver.js';
import { clusterReady } from '../../workloads/system.js';
import { REPO_ROOT, crucibleCommand, nodeLaunchFor } from './node-command.js';
import { jsonProblem } from '../../histories/json-problem.js';

export const CLUSTER_DIR_DEFAULT = '.crucible/cluster';
export const BASE_PORT_DEFAULT = 7000;
const STATE_VERSION = 1;

export interface ClusterNodeState {
  id: NodeId;
  host: string;
  port: number;
  proxyPort: number;
  controlPort: number;
  /** The node's command line, so a test can restart it after a kill. */
  argv?: string[];
}

export interface ClusterState {
  version: number;
  system: string;
  /** The module the system was loaded from (`--plugin`), absolute; absent for a registered system. */
  plugin?: string;
  dir: string;
  seed: number;
  bugs: string[];
  createdAt: string;
  nodes: ClusterNodeState[];
}

export interface UpOptions {
  system: SystemPlugin;
  /** The module the system was loaded from (`--plugin FILE`); the nodes load it too. */
  pluginPath?: string;
  nodes: readonly NodeId[];
  dir: string;
  basePort: number;
  host: string;
  seed: number;
  bugs: readonly string[];
  /** Starts a node; default `nodeLaunch()` (the node entry, bundled when esbuild is there). */
  nodeCommand?: readonly string[];
  readyMsMax?: number;
}

/** A mistake of the operator (a busy port, no cluster): one line, exit 2. */
export class ClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function statePath(dir: string): string {
  return path.join(dir, 'cluster.json');
}

export function secretPath(dir: string): string {
  return path.join(dir, 'secret');
}

function pidPath(dir: string, name: string): string {
  return path.join(dir, 'pids', `${name}.pid`);
}

export function readState(dir: string): ClusterState {
  const file = statePath(dir);
  if (!fs.existsSync(file)) throw new ClusterError(`no cluster in ${dir} (no cluster.json): start one with crucible cluster up, or pass --dir`);
  let state: ClusterState;
  try {
    state = JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterState;
  } catch (error) {
    throw new ClusterError(`${file}: not valid JSON (${jsonProblem(error)}); remove the directory or pass another --dir`);
  }
  if (state.version !== STATE_VERSION || !Array.isArray(state.nodes)) throw new ClusterError(`${file}: not a cluster state of version ${STATE_VERSION}`);
  return state;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Only signal a pid that still runs our process (pids get reused): its command line must name this
 * cluster's secret file and the node.
 */
function isOurs(pid: number, secretFile: string, node: NodeId): boolean {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes(secretFile) && cmdline.includes(node);
  } catch {
    // No /proc (not Linux): trust the pid file.
    return alive(pid);
  }
}

function readPid(dir: string, name: string): number | null {
  try {
    const pid = Number(fs.readFileSync(pidPath(dir, name), 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function layout(nodes: readonly NodeId[], basePort: number, host: string): ClusterNodeState[] {
  if (!Number.isInteger(basePort) || basePort < 1 || basePort + 200 + nodes.length > 65535) {
    throw new ClusterError(`--base-port ${basePort}: needs base+${200 + nodes.length} <= 65535`);
  }
  return nodes.map((id, index) => ({ id, host, port: basePort + index + 1, proxyPort: basePort + 101 + index, controlPort: basePort + 201 + index }));
}

export async function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

function spawnDetached(argv: readonly string[], logFile: string): number {
  const out = fs.openSync(logFile, 'a');
  const [program, ...args] = argv;
  const child = spawn(program!, args, { detached: true, stdio: ['ignore', out, out], cwd: REPO_ROOT });
  fs.closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${argv.slice(0, 6).join(' ')}`);
  return child.pid;
}

/** Starts (or restarts) one node of an `up` cluster from its recorded command line. */
export function startNode(dir: string, node: ClusterNodeState): number {
  if (node.argv === undefined) throw new ClusterError(`${statePath(dir)}: no command line recorded for ${node.id}; run cluster up again`);
  const pid = spawnDetached(node.argv, path.join(dir, 'logs', `${node.id}.log`));
  fs.writeFileSync(pidPath(dir, node.id), `${pid}\n`);
  return pid;
}

/** The pid of a node or proxy (`proxy-n1`) of the cluster in `dir` when it runs, else null. */
export function runningPid(dir: string, name: string, node: NodeId): number | null {
  const pid = readPid(dir, name);
  return pid !== null && alive(pid) && isOurs(pid, secretPath(dir), node) ? pid : null;
}

export function isAlive(pid: number): boolean {
  return alive(pid);
}

/** Processes of a cluster directory that still run: `[name, pid]`. */
export function runningProcesses(dir: string, state: ClusterState): [string, number][] {
  const found: [string, number][] = [];
  for (const node of state.nodes) {
    for (const name of [node.id, `proxy-${node.id}`]) {
      const pid = readPid(dir, name);
      if (pid !== null && alive(pid) && isOurs(pid, secretPath(dir), node.id)) found.push([name, pid]);
    }
  }
  return found;
}

export async function clusterUp(options: UpOptions): Promise<{ state: ClusterState; ready: boolean; statuses: Record<NodeId, NodeStatus> }> {
  const dir = path.resolve(options.dir);
  if (fs.existsSync(statePath(dir))) {
    const running = runningProcesses(dir, readState(dir));
    if (running.length > 0) throw new ClusterError(`a cluster is already up in ${dir} (${running.map(([name]) => name).join(', ')}): run crucible cluster down first, or pass another --dir`);
  }
  const nodes = layout(options.nodes, options.basePort, options.host);
  for (const node of nodes) {
    for (const port of [node.port, node.proxyPort, node.controlPort]) {
      if (!(await portFree(options.host, port))) throw new ClusterError(`port ${port} on ${options.host} is in use: pass another --base-port (now ${options.basePort})`);
    }
  }
  fs.mkdirSync(path.join(dir, 'pids'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const secretFile = secretPath(dir);
  if (!fs.existsSync(secretFile)) fs.writeFileSync(secretFile, `${newSecret()}\n`, { mode: 0o600 });
  const state: ClusterState = {
    version: STATE_VERSION,
    system: options.system.name,
    ...(options.pluginPath === undefined ? {} : { plugin: path.resolve(options.pluginPath) }),
    dir,
    seed: options.seed,
    bugs: [...options.bugs],
    createdAt: new Date().toISOString(),
    nodes,
  };
  const launch = await nodeLaunchFor(options.nodeCommand, options.pluginPath);
  const nodeCommand = launch.command;
  for (const node of nodes) {
    const peers = nodes.filter((peer) => peer.id !== node.id).map((peer) => `${peer.id}=${formatAddress({ host: peer.host, port: peer.proxyPort })}`);
    node.argv = [
      ...nodeCommand,
      '--system', options.system.name,
      ...launch.pluginFlags,
      '--id', node.id,
      '--listen', formatAddress({ host: node.host, port: node.port }),
      '--data', path.join(dir, 'data', node.id),
      '--trace', path.join(dir, 'logs', `${node.id}.trace.jsonl`),
      '--secret-file', secretFile,
      '--seed', String(options.seed),
      ...(peers.length > 0 ? ['--peers', peers.join(',')] : []),
      ...(options.bugs.length > 0 ? ['--bug', options.bugs.join(',')] : []),
    ];
  }
  fs.writeFileSync(statePath(dir), `${JSON.stringify(state, null, 2)}\n`);
  const crucible = crucibleCommand();
  for (const node of nodes) {
    const argv = [
      ...crucible, 'cluster', 'proxy',
      '--node', node.id,
      '--listen', formatAddress({ host: node.host, port: node.proxyPort }),
      '--upstream', formatAddress({ host: node.host, port: node.port }),
      '--control', formatAddress({ host: node.host, port: node.controlPort }),
      '--secret-file', secretFile,
      '--seed', String(options.seed),
    ];
    fs.writeFileSync(pidPath(dir, `proxy-${node.id}`), `${spawnDetached(argv, path.join(dir, 'logs', `proxy-${node.id}.log`))}\n`);
  }
  for (const node of nodes) startNode(dir, node);
  const secret = fs.readFileSync(secretFile, 'utf8').trim();
  const target = { nodes: nodes.map((node) => node.id), secret, adminAddress: (id: NodeId) => adminAddressOf(state, id) };
  const deadline = Date.now() + (options.readyMsMax ?? 30_000);
  const proxyAnswers = async (node: ClusterNodeState): Promise<boolean> => {
    try {
      return (await proxyControl({ host: node.host, port: node.controlPort }, secret, node.id, { op: 'stats' }, 500)).ok;
    } catch {
      return false;
    }
  };
  for (;;) {
    const health = await clusterHealth(target, 500);
    const proxies = await Promise.all(nodes.map(proxyAnswers));
    // Up means: every node answers, every proxy answers, and every node reaches all its peers.
    const connected = health.every((node) => node.host !== null && node.host.peersConnected.length === nodes.length - 1);
    if (connected && proxies.every(Boolean)) break;
    const dead = nodes.flatMap((node) => [node.id, `proxy-${node.id}`]).filter((name) => !alive(readPid(dir, name) ?? -1));
    if (dead.length > 0 || Date.now() > deadline) {
      const why = dead.length > 0 ? `${dead.join(', ')} exited` : 'not every node and proxy answered in time';
      await clusterDown(dir, false);
      throw new ClusterError(`cluster up failed: ${why}; see the logs in ${path.join(dir, 'logs')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { ready, statuses } = await waitForReady(target, options.system, 10_000);
  return { state, ready, statuses };
}

export function adminAddressOf(state: ClusterState, id: NodeId): Address {
  const node = state.nodes.find((candidate) => candidate.id === id);
  if (node === undefined) throw new ClusterError(`no node ${id} in this cluster`);
  return { host: node.host, port: node.port };
}

/** Stops every process of the cluster: SIGCONT, SIGTERM, then SIGKILL after a grace period. */
export async function clusterDown(dirGiven: string, wipe: boolean): Promise<{ stopped: string[] }> {
  const dir = path.resolve(dirGiven);
  const state = readState(dir);
  const running = runningProcesses(dir, state);
  for (const [, pid] of running) {
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + 3_000;
  while (running.some(([, pid]) => alive(pid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const [, pid] of running) {
    if (alive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
  }
  fs.rmSync(path.join(dir, 'pids'), { recursive: true, force: true });
  if (wipe) {
    fs.rmSync(path.join(dir, 'data'), { recursive: true, force: true });
    fs.rmSync(path.join(dir, 'logs'), { recursive: true, force: true });
    fs.rmSync(statePath(dir), { force: true });
  }
  return { stopped: running.map(([name]) => name) };
}

export interface NodeReport {
  id: NodeId;
  pid: number | null;
  alive: boolean;
  address: string;
  clientAddress: string;
  /** The node's own status fields, in the system's words. */
  status: NodeStatus;
  down: string | null;
  failed: string | null;
  peersConnected: NodeId[];
  proxyRules: number | null;
  error: string | null;
  healthy: boolean;
}

/** The cluster's health and readiness; `system` defaults to the one its state names (registered or its plugin). */
export async function clusterStatus(
  dirGiven: string,
  system?: Pick<SystemPlugin, 'ready'>,
): Promise<{ state: ClusterState; nodes: NodeReport[]; ready: boolean; healthy: boolean }> {
  const dir = path.resolve(dirGiven);
  const state = readState(dir);
  const plugin = system ?? (await resolvePlugin(state.system, state.plugin));
  const secret = fs.readFileSync(secretPath(dir), 'utf8').trim();
  const ids = state.nodes.map((node) => node.id);
  const health: NodeHealth[] = await clusterHealth({ nodes: ids, secret, adminAddress: (id) => adminAddressOf(state, id) }, 1_000);
  const nodes = await Promise.all(
    state.nodes.map(async (node, index): Promise<NodeReport> => {
      const pid = readPid(dir, node.id);
      const isAlive = pid !== null && alive(pid);
      const host = health[index]!.host;
      let proxy: ProxyStats | null = null;
      try {
        const reply = await proxyControl({ host: node.host, port: node.controlPort }, secret, node.id, { op: 'stats' }, 1_000);
        if (reply.ok) proxy = reply.stats;
      } catch {
        proxy = null;
      }
      const down = host?.status.down ?? null;
      return {
        id: node.id,
        pid,
        alive: isAlive,
        address: formatAddress({ host: node.host, port: node.port }),
        clientAddress: formatAddress({ host: node.host, port: node.proxyPort }),
        status: host?.status ?? {},
        down,
        failed: host?.failed ?? null,
        peersConnected: host?.peersConnected ?? [],
        proxyRules: proxy === null ? null : proxy.rules.length,
        error: health[index]!.error,
        healthy: isAlive && host !== null && down === null && host.failed === null && proxy !== null,
      };
    }),
  );
  return { state, nodes, ready: clusterReady(plugin, nodeStatuses(health)), healthy: nodes.every((node) => node.healthy) };
}
