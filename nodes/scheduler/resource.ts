// The fenced resource: a service the jobs write their effects to, a process on the network. Per
// key it keeps the highest fencing token it has seen and rejects any write below it; a commit
// (a job's output with its completion marker, in one write) is applied once per idempotency key.
// Every write it judges goes into the history with true time: the third history the checkers read.
import type { ClientHost, NodeId, Process } from '../host.js';
import { RESOURCE_SLOT, roleProcess } from './roles.js';
import { isResourceWrite, type ResourceReply, type ResourceWrite } from './protocol.js';

/** Keys the resource tracks at most. */
export const RESOURCE_KEYS_MAX = 100_000;

export interface ResourceDecision {
  outcome: ResourceReply['outcome'];
  /** The highest token seen for the key after this write. */
  highest: number | null;
}

/** The fencing rule, pure: what the resource does with one write, and its new state. */
export class FencedStore {
  private readonly highest = new Map<string, number>();
  private readonly committed = new Set<string>();

  judge(write: Pick<ResourceWrite, 'key' | 'token' | 'kind' | 'idem'>): ResourceDecision {
    const seen = this.highest.get(write.key) ?? null;
    if (write.token !== null && seen !== null && write.token < seen) return { outcome: 'rejected', highest: seen };
    if (write.kind === 'commit' && write.idem !== null && this.committed.has(write.idem)) return { outcome: 'duplicate', highest: seen };
    if (this.highest.size >= RESOURCE_KEYS_MAX && seen === null) throw new Error(`resource: more than ${RESOURCE_KEYS_MAX} keys`);
    if (write.token !== null) this.highest.set(write.key, Math.max(write.token, seen ?? write.token));
    if (write.kind === 'commit' && write.idem !== null) this.committed.add(write.idem);
    return { outcome: 'accepted', highest: this.highest.get(write.key) ?? null };
  }
}

export class ResourceProcess implements Process {
  private readonly store = new FencedStore();
  /** The resource never ends an op `info`, so it needs only one process number. */
  private readonly process: number;

  constructor(
    private readonly host: ClientHost,
    index: number,
    clients: number,
  ) {
    this.process = roleProcess(index, clients, RESOURCE_SLOT, 0);
  }

  start(): void {}

  onMessage(from: NodeId, message: unknown): void {
    if (!isResourceWrite(message)) return;
    const value = { key: message.key, token: message.token, kind: message.kind, idem: message.idem, holder: message.holder };
    this.host.record({ process: this.process, type: 'invoke', f: 'write', key: message.key, value });
    const decision = this.store.judge(message);
    this.host.record({ process: this.process, type: decision.outcome === 'rejected' ? 'fail' : 'ok', f: 'write', key: message.key, value: { ...value, outcome: decision.outcome } });
    this.host.send(from, { type: 'res.reply', id: message.id, outcome: decision.outcome } satisfies ResourceReply);
  }

  onTimer(): void {}
  onFsync(): void {}
}
