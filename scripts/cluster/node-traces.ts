// Reads the nodes' trace files back after a cluster test and puts their events on the history's
// clock, so the viewer shows node events (role changes, recoveries) next to the operations.
//
// A node's `time` is its own clock (ns since its process started). Its trace file opens each
// process life with an `trace.epoch` line holding that process's epoch on the machine's monotonic
// clock (CLOCK_MONOTONIC on Linux, shared by every process and container of one kernel), so
// `epoch + time - testEpoch` is the event's time on the test's clock.
import fs from 'node:fs';
import readline from 'node:readline';
import type { NodeId } from '../../nodes/host.js';
import type { TraceEventRow } from '../../histories/store.js';
import { TRACE_EPOCH_KIND } from '../tcp/trace-file.js';

type Scalar = string | number | boolean | null | undefined;

/** Reads one node's trace file; events outside [0, endNs] of the test clock are dropped. */
export async function readNodeTrace(file: string, node: NodeId, testEpochNs: bigint, endNs: number, limit: number): Promise<TraceEventRow[]> {
  if (!fs.existsSync(file)) return [];
  const rows: TraceEventRow[] = [];
  let offsetNs: number | null = null;
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (rows.length >= limit) break;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (parsed.kind === TRACE_EPOCH_KIND && typeof parsed.epochNs === 'string') {
      offsetNs = Number(BigInt(parsed.epochNs) - testEpochNs);
      continue;
    }
    if (offsetNs === null || typeof parsed.time !== 'number' || typeof parsed.kind !== 'string') continue;
    const time = Math.round(offsetNs + parsed.time);
    if (time < 0 || time > endNs) continue;
    const fields: Record<string, Scalar> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (key === 'time' || key === 'node' || key === 'kind') continue;
      if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value as Scalar;
    }
    rows.push({ time, node, kind: parsed.kind, fields });
  }
  lines.close();
  return rows;
}

/** Every node's events, merged in time order, at most `limit` in all. */
export async function readClusterTrace(files: Readonly<Record<NodeId, string>>, testEpochNs: bigint, endNs: number, limit: number): Promise<TraceEventRow[]> {
  const perNode = await Promise.all(Object.entries(files).map(([node, file]) => readNodeTrace(file, node, testEpochNs, endNs, limit)));
  const rows = perNode.flat();
  rows.sort((a, b) => a.time - b.time || (a.node ?? '').localeCompare(b.node ?? ''));
  return rows.slice(0, limit);
}
