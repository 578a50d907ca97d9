// `crucible bench --suite cluster`: a 3-node Raft cluster as real processes on loopback, fsync on
// (each node's WAL on the real disk), under a closed-loop write load aimed at the leader. Batching is
// the node's: it turns many proposals into one append, one fsync and one message per follower.
// The load comes from this process: 8 connections with 32 logical clients each, one write
// outstanding per client, no fault proxies (their extra hop is not the cluster's cost). The run
// fails rather than report a figure when the nodes completed no fsync.
// Results: `cluster.writes` (acknowledged writes per second), `cluster.p50` and `cluster.p99` (ms).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NodeId } from '../../nodes/host.js';
import { findSystem } from '../../workloads/registry.js';
import type { BenchResult } from './index.js';
import { clusterHealth, waitForLeader } from '../cluster/driver.js';
import { LocalDriver } from '../cluster/local-driver.js';
import { type WriteLoadStats, quantile, writeLoadClient } from '../cluster/write-load.js';
import { newSecret } from '../tcp/auth.js';
import { HistoryRecorder, TcpClientHost } from '../tcp/client-host.js';

export interface ClusterBenchOptions {
  system: string;
  nodes: number;
  connections: number;
  clientsPerConnection: number;
  warmupMs: number;
  measureMs: number;
  /** Starts a node (tests pass their own); default `crucible node`. */
  nodeCommand?: readonly string[];
}

export const CLUSTER_BENCH_DEFAULTS: ClusterBenchOptions = {
  system: 'raft',
  nodes: 3,
  connections: 8,
  clientsPerConnection: 32,
  warmupMs: 2_000,
  measureMs: 8_000,
};

export async function runClusterBench(options: ClusterBenchOptions): Promise<BenchResult[]> {
  if (findSystem(options.system) === undefined && options.nodeCommand === undefined) {
    throw new Error(`bench cluster: system ${options.system} is not registered`);
  }
  const nodes: NodeId[] = Array.from({ length: options.nodes }, (_, index) => `n${index + 1}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-bench-cluster-'));
  const driver = new LocalDriver({
    system: options.system,
    nodes,
    dir,
    secret: newSecret(),
    seed: 1,
    bugs: [],
    proxies: false,
    nodeCommand: options.nodeCommand,
    log: () => undefined,
  });
  const stats: WriteLoadStats = { writes: 0, latenciesNs: [], refused: 0, retries: 0 };
  const clients: TcpClientHost[] = [];
  let fsyncs = 0;
  try {
    await driver.start();
    const leader = await waitForLeader(driver, 20_000);
    if (leader === null) throw new Error('bench cluster: no leader within 20 s');
    const recorder = new HistoryRecorder(process.hrtime.bigint());
    const measureFromNs = options.warmupMs * 1e6;
    const measureToNs = (options.warmupMs + options.measureMs) * 1e6;
    let done = 0;
    const addresses = driver.clientAddresses();
    for (let index = 0; index < options.connections; index += 1) {
      const client = new TcpClientHost({
        id: `b${index}`,
        nodes: addresses,
        secret: driver.secret,
        seed: index,
        recorder,
        factory: writeLoadClient({ clients: options.clientsPerConnection, keys: 1_000, measureFromNs, measureToNs, retryNs: 2e9, leader, stats }),
        trace: () => undefined,
        hostLog: () => undefined,
        onFailure: (id, message) => {
          throw new Error(`bench client ${id} failed: ${message}`);
        },
        onDone: () => (done += 1),
      });
      clients.push(client);
    }
    for (const client of clients) client.start();
    const deadline = Date.now() + options.warmupMs + options.measureMs + 10_000;
    while (done < clients.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const problems = driver.problems();
    if (problems.length > 0) throw new Error(`bench cluster: ${problems[0]}`);
    // The figure means "with fsync on" only if the nodes really synced their disks.
    const health = await clusterHealth(driver, 2_000);
    fsyncs = health.reduce((sum, node) => sum + (node.host?.fsyncs ?? 0), 0);
    if (fsyncs === 0) throw new Error('bench cluster: the nodes completed no fsync');
  } finally {
    for (const client of clients) client.stop();
    await driver.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const round = (value: number) => Math.round(value * 100) / 100;
  if (process.env.CRUCIBLE_BENCH_VERBOSE === '1') {
    process.stderr.write(`bench cluster: ${stats.writes} writes, ${fsyncs} fsyncs, ${stats.refused} refused, ${stats.retries} retries\n`);
  }
  return [
    { name: 'cluster.writes', value: Math.round(stats.writes / (options.measureMs / 1_000)), unit: 'writes/s' },
    { name: 'cluster.p50', value: round(quantile(stats.latenciesNs, 0.5) / 1e6), unit: 'ms' },
    { name: 'cluster.p99', value: round(quantile(stats.latenciesNs, 0.99) / 1e6), unit: 'ms' },
  ];
}

export async function runSuite(): Promise<BenchResult[]> {
  return runClusterBench(CLUSTER_BENCH_DEFAULTS);
}
