// The ttl workload's client (CP mode, ABD): each write puts a fresh value on a fresh key with a
// TTL; reads pick one of the keys this client wrote lately, so they fall before and after expiry.
// Keys are written once, so a read returns that key's one value or null, and the TTL checker
// (checkers/ttl.ts) knows which write each read is about.
import type { ClientHost, ProcessFactory } from '../../nodes/host.js';
import type { WorkloadParams } from '../system.js';
import type { CallResult } from '../kv-caller.js';
import type { KvOp } from '../kv-protocol.js';
import { validateWorkloadParams } from '../lin-kv.js';
import { PacedKvClient } from '../paced-client.js';
import { CP_QUORUM } from './options.js';
import { stamped } from './client-host.js';

/** The TTL of every write, and how far back (in keys) reads reach. */
export const TTL_MS = 400;
const RECENT_KEYS_MAX = 8;

export function ttlClient(params: WorkloadParams, index: number): ProcessFactory<ClientHost> {
  validateWorkloadParams(params, index);
  const factory: ProcessFactory<ClientHost> = (host) => new TtlClient(host, params, index);
  return stamped(factory, { read: CP_QUORUM, write: { ...CP_QUORUM, ttlMs: TTL_MS } });
}

class TtlClient extends PacedKvClient {
  private written = 0;
  /** This client's latest keys, newest last; at most RECENT_KEYS_MAX. */
  private readonly recent: string[] = [];

  constructor(host: ClientHost, params: WorkloadParams, index: number) {
    super(host, params, index);
  }

  protected nextOp(process: number): KvOp {
    const random = this.host.random;
    let op: KvOp;
    if (this.recent.length === 0 || random.int(3) === 0) {
      const key = `t${this.index}.${this.written}`;
      op = { f: 'write', key, value: this.index + 1 + this.params.clients * this.written };
      this.written += 1;
      this.recent.push(key);
      if (this.recent.length > RECENT_KEYS_MAX) this.recent.shift();
    } else {
      op = { f: 'read', key: this.recent[random.int(this.recent.length)]!, value: null };
    }
    this.host.record({ process, type: 'invoke', f: op.f, value: op.value, key: op.key });
    return op;
  }

  protected recordResult(result: CallResult, op: KvOp, process: number): boolean {
    const node = result.node === null ? {} : { node: result.node };
    if (result.outcome === 'ok') this.host.record({ process, type: 'ok', f: op.f, value: op.f === 'read' ? result.value : op.value, key: op.key, ...node });
    else this.host.record({ process, type: result.outcome, f: op.f, value: op.value, key: op.key, ...node });
    return result.outcome === 'info';
  }
}
