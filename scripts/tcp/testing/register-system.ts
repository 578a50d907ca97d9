// The register node as a system plugin, registered only in tests (never in workloads/registry.ts),
// so the cluster runner can be tested end to end before and apart from Raft.
//
// Its check is deliberately simple and sound: a read that returns nil although a write of that key
// had already completed `ok` before the read was invoked cannot be linearized.
import { z } from 'zod';
import type { History } from '../../../histories/schema.js';
import type { CheckerResult } from '../../../checkers/verdict.js';
import type { SystemPlugin, Workload } from '../../../workloads/system.js';
import { kvClient } from './kv-client.js';
import { REGISTER_STALE_READ, createRegisterNode } from './register-node.js';

export function checkNilAfterWrite(history: History): CheckerResult {
  const invokedAt = new Map<number, number>();
  const firstWriteOk = new Map<string, number>();
  const violations: number[] = [];
  for (const record of history) {
    if (record.type === 'invoke') invokedAt.set(record.process, record.time ?? record.index);
    if (record.type === 'ok' && record.f === 'write' && record.key !== undefined && !firstWriteOk.has(record.key)) {
      firstWriteOk.set(record.key, record.time ?? record.index);
    }
    if (record.type === 'ok' && record.f === 'read' && record.value === null && record.key !== undefined) {
      const writtenAt = firstWriteOk.get(record.key);
      const readInvokedAt = invokedAt.get(record.process);
      if (writtenAt !== undefined && readInvokedAt !== undefined && readInvokedAt > writtenAt) violations.push(record.index);
    }
  }
  return violations.length === 0
    ? { checker: 'nil-after-write', verdict: 'valid', summary: 'no read returned nil after a completed write' }
    : { checker: 'nil-after-write', verdict: 'invalid', summary: `${violations.length} reads returned nil after a completed write`, evidence: { indexes: violations.slice(0, 20) } };
}

const kv: Workload = {
  name: 'kv',
  description: 'random read/write/cas on a few keys',
  options: z.object({ keys: z.number().int().min(1).max(10_000).default(3) }).strict(),
  client(params, index) {
    return kvClient({
      index,
      stride: params.clients,
      keys: (params.options as { keys: number }).keys,
      timeoutNs: params.timeoutNs,
      gapNs: Math.max(1, Math.round((1e9 * params.clients) / params.opsPerSecond)),
      stopAtNs: params.stopInvokingAtNs,
      opsMax: Math.ceil(params.opsMax / params.clients),
    });
  },
  check: (history) => [checkNilAfterWrite(history)],
};

export const registerSystem: SystemPlugin = {
  name: 'test-register',
  description: 'a primary-only KV for testing the TCP host',
  node: createRegisterNode,
  nodes: { default: 3, min: 1, max: 7 },
  workloads: { kv },
  defaultWorkload: 'kv',
  bugs: [{ name: REGISTER_STALE_READ, description: 'non-primaries answer reads from their own empty state' }],
  params: { electionTimeoutMsMax: 300 },
};
