// `crucible bench --suite cluster`: a 3-node Raft cluster as real processes on loopback, fsync on
// (each node's WAL on the real disk), under the system's own workload clients (the plugin's
// `client(params, index)` factories over the TCP client host, with their own routing and retries),
// writes only, closed loop: 8 x 32 = 256 clients, each with one op outstanding and no think time.
// Batching is the node's: it turns many proposals into one append, one fsync and one message per
// follower. No fault proxies (their extra hop is not the cluster's cost). The run fails rather than
// report a figure when the nodes completed no fsync or no write was acknowledged.
// Results: `cluster.writes` (acknowledged writes per second: ops that change state, answered ok,
// inside the measuring window), `cluster.p50` and `cluster.p99` (their latencies, ms).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NodeId } from '../../nodes/host.js';
import type { HistoryRecord } from '../../histories/schema.js';
import { findSystem } from '../../workloads/registry.js';
import type { SystemPlugin, WorkloadParams } from '../../workloads/system.js';
import type { BenchResult } from './index.js';
import { clusterHealth, waitForReady } from '../cluster/driver.js';
import { LocalDriver } from '../cluster/local-driver.js';
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
  /** The system, when it is not a registered one (tests). */
  plugin?: SystemPlugin;
}

export const CLUSTER_BENCH_DEFAULTS: ClusterBenchOptions = {
  system: 'raft',
  nodes: 3,
  connections: 8,
  clientsPerConnection: 32,
  warmupMs: 2_000,
  measureMs: 8_000,
};

/** The q-quantile of a sample (nearest rank), in ns. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export interface WriteStats {
  /** Ops that change state (every op but a read) answered ok inside the window. */
  writes: number;
  /** Their latencies, invoke to ok, in ns. */
  latenciesNs: number[];
  /** Ops that ended otherwise (fail, info) in the window: refused, timed out, compare failed. */
  unacknowledged: number;
}

/** Acknowledged writes and their latencies in [fromNs, toNs) of completion time, from a history. */
export function writeStats(history: readonly HistoryRecord[], fromNs: number, toNs: number): WriteStats {
  const invokedAt = new Map<string | number, number>();
  const stats: WriteStats = { writes: 0, latenciesNs: [], unacknowledged: 0 };
  for (const record of history) {
    const time = record.time ?? 0;
    if (record.type === 'invoke') {
      invokedAt.set(record.process, time);
      continue;
    }
    const started = invokedAt.get(record.process);
    invokedAt.delete(record.process);
    if (started === undefined || time < fromNs || time >= toNs || record.f === 'read') continue;
    if (record.type === 'ok') {
      stats.writes += 1;
      stats.latenciesNs.push(time - started);
    } else stats.unacknowledged += 1;
  }
  return stats;
}

export async function runClusterBench(options: ClusterBenchOptions): Promise<BenchResult[]> {
  const system = options.plugin ?? findSystem(options.system);
  if (system === undefined) throw new Error(`bench cluster: system ${options.system} is not registered`);
  const workload = system.workloads[system.defaultWorkload]!;
  const nodes: NodeId[] = Array.from({ length: options.nodes }, (_, index) => `n${index + 1}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-bench-cluster-'));
  const driver = new LocalDriver({
    system: system.name,
    nodes,
    dir,
    secret: newSecret(),
    seed: 1,
    bugs: [],
    proxies: false,
    nodeCommand: options.nodeCommand,
    log: () => undefined,
  });
  const clients: TcpClientHost[] = [];
  const measureFromNs = options.warmupMs * 1e6;
  const measureToNs = (options.warmupMs + options.measureMs) * 1e6;
  let stats: WriteStats = { writes: 0, latenciesNs: [], unacknowledged: 0 };
  let fsyncs = 0;
  try {
    await driver.start();
    if (!(await waitForReady(driver, system, 20_000)).ready) throw new Error(`bench cluster: ${system.name} was not ready within 20 s`);
    const recorder = new HistoryRecorder(process.hrtime.bigint());
    const count = options.connections * options.clientsPerConnection;
    const params: WorkloadParams = {
      nodes,
      clients: count,
      // Closed loop: no op budget, and a rate no client can reach, so each invokes its next op as
      // soon as the last one ends.
      opsMax: Number.MAX_SAFE_INTEGER,
      opsPerSecond: 1e9,
      timeoutNs: 2e9,
      stopInvokingAtNs: measureToNs,
      options: { keys: 1_000, readPercent: 0 },
    };
    let done = 0;
    const addresses = driver.clientAddresses();
    for (let index = 0; index < count; index += 1) {
      const client = new TcpClientHost({
        id: `c${index}`,
        nodes: addresses,
        secret: driver.secret,
        seed: index,
        recorder,
        factory: workload.client(params, index),
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
    stats = writeStats(recorder.records, measureFromNs, measureToNs);
    if (stats.writes === 0) throw new Error('bench cluster: no write was acknowledged in the measuring window');
  } finally {
    for (const client of clients) client.stop();
    await driver.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const round = (value: number) => Math.round(value * 100) / 100;
  if (process.env.CRUCIBLE_BENCH_VERBOSE === '1') {
    process.stderr.write(`bench cluster: ${stats.writes} writes, ${fsyncs} fsyncs, ${stats.unacknowledged} not acknowledged\n`);
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
