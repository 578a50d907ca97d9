// A white-box Paxos invariant: an acceptor keeps every promise it gave. Each promise a node sends
// is traced (`qkv.promised`); when the node starts again after a crash, the state it recovered from
// its commit log must be at or above every ballot it promised before. A promise forgotten lets a
// lower ballot's value be chosen beside a higher one's (the planted bug
// `kv.paxos-unpersisted-promise`), which the linearizability checker sees only when the two
// collide in the history; this sees every lost promise.
import type { NodeId } from '../../nodes/host.js';
import { compareBallots, QuorumKvNode, type Ballot } from '../../nodes/quorum-kv/index.js';
import type { CheckerResult } from '../../checkers/verdict.js';
import type { Inspector, TraceEvent } from '../system.js';

export interface ForgottenPromise {
  node: NodeId;
  key: string;
  promised: Ballot;
  recovered: Ballot | null;
  atNs: number;
}

export class PromiseLedger {
  /** Per node and key, the highest ballot promised: at most nodes × keys entries. */
  private readonly promised = new Map<NodeId, Map<string, Ballot>>();
  private first: ForgottenPromise | null = null;
  private restarts = 0;

  onTrace(event: TraceEvent, inspector: Inspector): void {
    if (event.node === null) return;
    if (event.kind === 'qkv.promised') {
      const key = event.fields?.key;
      const n = event.fields?.n;
      const by = event.fields?.by;
      if (typeof key !== 'string' || typeof n !== 'number' || typeof by !== 'string') return;
      let byKey = this.promised.get(event.node);
      if (byKey === undefined) this.promised.set(event.node, (byKey = new Map()));
      const ballot = { n, by };
      if (compareBallots(ballot, byKey.get(key) ?? null) > 0) byKey.set(key, ballot);
      return;
    }
    if (event.kind !== 'qkv.start' || this.first !== null) return;
    const process = inspector.process(event.node);
    const byKey = this.promised.get(event.node);
    if (!(process instanceof QuorumKvNode) || byKey === undefined) return;
    this.restarts += 1;
    const view = process.inspect();
    for (const [key, ballot] of byKey) {
      const recovered = view.paxos(key).promised;
      if (compareBallots(recovered, ballot) < 0) {
        this.first = { node: event.node, key, promised: ballot, recovered, atNs: event.time };
        return;
      }
    }
  }

  result(): CheckerResult | null {
    const f = this.first;
    if (f === null) return null;
    const recovered = f.recovered === null ? 'none' : `${f.recovered.n}/${f.recovered.by}`;
    return {
      checker: 'invariants',
      verdict: 'invalid',
      summary: `paxos: ${f.node} promised ballot ${f.promised.n}/${f.promised.by} on ${f.key} and forgot it in a crash (recovered: ${recovered}); a lower ballot can now be accepted beside the higher one`,
      evidence: f,
    };
  }

  /** How many restarts of a node that had promised something were checked. */
  checkedRestarts(): number {
    return this.restarts;
  }
}
