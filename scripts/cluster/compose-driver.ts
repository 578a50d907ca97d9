// `cluster test --target compose`: drives a cluster that `docker compose up` started from the file
// `cluster compose` wrote. Processes are hit through Docker (kill -s SIGKILL, start, pause,
// unpause); links through the proxy containers' control ports, published on the host's loopback.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { NodeId } from '../../nodes/host.js';
import { CONTAINER_CONTROL_PORT, CONTAINER_PORT, composeProblems, composeSchema, proxyService, type ComposeFile } from '../docker/compose.js';
import { parseYaml } from '../docker/yaml.js';
import type { Address } from '../tcp/link.js';
import { type LinkRule, proxyControl } from '../tcp/proxy.js';
import { queryStatus } from '../tcp/admin.js';
import { type ClusterDriver, clusterHealth } from './driver.js';
import { ClusterError } from './daemon.js';

/** Runs `docker ARGS...`; replaceable in tests (there is no Docker engine everywhere). */
export type DockerRunner = (args: readonly string[]) => Promise<void>;

export const runDocker: DockerRunner = (args) =>
  new Promise((resolve, reject) => {
    execFile('docker', [...args], { timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`docker ${args.join(' ')}: ${String(stderr).trim().split('\n').at(-1) || error.message}`));
      else resolve();
    });
  });

export interface ComposeTarget {
  nodes: NodeId[];
  admin: Record<NodeId, Address>;
  clients: Record<NodeId, Address>;
  control: Record<NodeId, Address>;
  secretFile: string;
}

/** Where a published container port is on the host, from a mapping `IP:HOST:CONTAINER`. */
function published(file: ComposeFile, service: string, containerPort: number): Address {
  for (const mapping of file.services[service]?.ports ?? []) {
    const parts = mapping.split(':');
    if (Number(parts.at(-1)) !== containerPort) continue;
    const host = parts.length === 3 ? parts[0]! : '127.0.0.1';
    return { host: host === '0.0.0.0' ? '127.0.0.1' : host, port: Number(parts.at(-2)) };
  }
  throw new ClusterError(`compose file: service ${service} publishes no port ${containerPort}`);
}

/** Reads a compose file written by `cluster compose` into the addresses a test needs. */
export function readComposeTarget(composeFile: string): ComposeTarget {
  let document: unknown;
  try {
    document = parseYaml(fs.readFileSync(composeFile, 'utf8'));
  } catch (error) {
    throw new ClusterError(`--compose-file ${composeFile}: ${(error as Error).message} (write it with crucible cluster compose)`);
  }
  const parsed = composeSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ClusterError(`--compose-file ${composeFile}: ${issue.path.join('.')}: ${issue.message}`);
  }
  const file = parsed.data;
  const problems = composeProblems(file);
  if (problems.length > 0) throw new ClusterError(`--compose-file ${composeFile}: ${problems[0]}`);
  const nodes = Object.keys(file.services).filter((name) => `${proxyService(name)}` in file.services).sort();
  if (nodes.length === 0) throw new ClusterError(`--compose-file ${composeFile}: no node with a proxy service (proxy-<node>)`);
  const secret = Object.values(file.secrets ?? {})[0]?.file;
  if (secret === undefined) throw new ClusterError(`--compose-file ${composeFile}: no secrets entry with the cluster secret file`);
  return {
    nodes,
    admin: Object.fromEntries(nodes.map((id) => [id, published(file, id, CONTAINER_PORT)])),
    clients: Object.fromEntries(nodes.map((id) => [id, published(file, proxyService(id), CONTAINER_PORT)])),
    control: Object.fromEntries(nodes.map((id) => [id, published(file, proxyService(id), CONTAINER_CONTROL_PORT)])),
    secretFile: path.resolve(path.dirname(composeFile), secret),
  };
}

export class ComposeDriver implements ClusterDriver {
  readonly nodes: readonly NodeId[];
  readonly secret: string;
  private readonly issues: string[] = [];

  constructor(
    private readonly composeFile: string,
    private readonly target: ComposeTarget,
    secret: string,
    private readonly docker: DockerRunner = runDocker,
    private readonly readyMsMax = 60_000,
  ) {
    this.nodes = target.nodes;
    this.secret = secret;
  }

  private compose(...args: string[]): Promise<void> {
    return this.docker(['compose', '-f', this.composeFile, ...args]);
  }

  clientAddresses(): Record<NodeId, Address> {
    return this.target.clients;
  }

  adminAddress(id: NodeId): Address {
    return this.target.admin[id]!;
  }

  async start(): Promise<void> {
    const health = await clusterHealth(this, 2_000);
    const silent = health.filter((node) => node.host === null);
    if (silent.length > 0) {
      throw new ClusterError(
        `the compose cluster is not up (${silent.map((node) => node.id).join(', ')} did not answer): run docker compose -f ${this.composeFile} up -d --build`,
      );
    }
    await Promise.all(this.nodes.map((id) => this.setRules(id, [])));
  }

  async kill(id: NodeId): Promise<void> {
    await this.compose('kill', '-s', 'SIGKILL', id);
  }

  async restart(id: NodeId): Promise<void> {
    await this.compose('start', id);
    const deadline = Date.now() + this.readyMsMax;
    for (;;) {
      try {
        await queryStatus(this.adminAddress(id), this.secret, id, 1_000);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`${id} did not answer within ${this.readyMsMax} ms of docker compose start: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  async pause(id: NodeId): Promise<void> {
    await this.compose('pause', id);
  }

  async resume(id: NodeId): Promise<void> {
    await this.compose('unpause', id);
  }

  async setRules(id: NodeId, rules: LinkRule[]): Promise<void> {
    const reply = await proxyControl(this.target.control[id]!, this.secret, id, { op: 'rules', rules });
    if (!reply.ok) throw new Error(`proxy of ${id} refused the rules: ${reply.error}`);
  }

  problems(): string[] {
    return [...this.issues];
  }

  /** The compose cluster outlives the test: only the proxies are healed (the nemesis did that). */
  async stop(): Promise<void> {
    const health = await clusterHealth(this, 2_000);
    for (const node of health) {
      if (node.host === null) this.issues.push(`${node.id} did not answer at the end of the test: ${node.error}`);
      else if (node.host.failed) this.issues.push(`${node.id}: a handler threw: ${node.host.failed}`);
    }
  }
}
