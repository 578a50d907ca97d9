// Kernel benchmark: a message flood over 5 nodes with random latency (1-5 ms), 1% loss and one
// node isolated by a partition, on one core (the kernel is single-threaded).
// Results:
//   kernel.flood      delivered messages per wall second (the figure the issue asks for)
//   kernel.flood-cpu  delivered messages per second of this process's CPU time: steadier than
//                     wall time on a machine shared with other work
//   kernel.events     kernel events handled per wall second
import { performance } from 'node:perf_hooks';
import { World } from '../../sim/index.js';
import { floodNode } from '../../sim/testing/flood.js';
import type { BenchResult } from './index.js';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];

export interface FloodRun {
  delivered: number;
  events: number;
  wallMs: number;
  cpuMs: number;
  fingerprint: string;
}

/** One flood run of `simNs` simulated nanoseconds. */
export function floodRun(seed: number, simNs: number): FloodRun {
  const world = new World({
    seed,
    nodes: NODES,
    // 100 new messages per node per ms, each forwarded up to 1000 hops: a few thousand in flight.
    node: floodNode({ burst: 100, tickNs: 1_000_000, hopsMax: 1000 }),
    network: {
      latency: { kind: 'uniform', minNs: 1_000_000, maxNs: 5_000_000 },
      dropNum: 10,
      den: 1000,
    },
    traceLimit: 0,
  });
  world.start();
  world.partition({ kind: 'isolate', node: 'n5' });
  const cpuStart = process.cpuUsage();
  const wallStartMs = performance.now();
  world.runUntil(simNs);
  const wallMs = performance.now() - wallStartMs;
  const cpu = process.cpuUsage(cpuStart);
  const stats = world.stats();
  return { delivered: stats.messagesDelivered, events: stats.events, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, fingerprint: world.fingerprint() };
}

export async function runSuite(): Promise<BenchResult[]> {
  // A short run first so the measured one runs optimised code.
  floodRun(1, 200_000_000);
  const run = floodRun(2, 3_000_000_000);
  return [
    { name: 'kernel.flood', value: Math.round(run.delivered / (run.wallMs / 1000)), unit: 'messages/s' },
    { name: 'kernel.flood-cpu', value: Math.round(run.delivered / (run.cpuMs / 1000)), unit: 'messages/cpu-s' },
    { name: 'kernel.events', value: Math.round(run.events / (run.wallMs / 1000)), unit: 'events/s' },
  ];
}
