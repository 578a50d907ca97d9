// White-box invariants of the broker, checked as the trace happens (it changes nothing):
//
// - one leader per (partition, leader epoch), and each broker's leader epochs of a partition grow;
// - when a leader raises its high watermark, every live member of its maximal ISR holds at least
//   that many records (HW <= min LEO over the ISR: the TLA+ spec's StrongIsr/WeakIsr core);
// - a committed record (below some leader's high watermark) never changes: every leader that
//   commits an offset commits the same (epoch, key, value) there;
// - no committed record is ever truncated from any replica (truncation by epoch cuts only what
//   was never committed; truncation to a follower's high watermark does not).
import { BrokerNode, type LogRecord } from '../../nodes/broker/index.js';
import type { NodeId } from '../../nodes/host.js';
import type { CheckerResult } from '../../checkers/verdict.js';
import type { Inspector, InvariantMonitor, TraceEvent } from '../system.js';

function identity(record: LogRecord): string {
  return `epoch ${record.epoch} key ${record.key} value ${record.value}`;
}

export function brokerMonitor(): InvariantMonitor {
  const leaderOfEpoch = new Map<string, NodeId>();
  const lastEpoch = new Map<string, number>();
  const lastHw = new Map<string, number>();
  const committed = new Map<number, Map<number, string>>();
  let violation: { summary: string; evidence: Record<string, unknown> } | null = null;
  let checks = 0;
  const fail = (summary: string, evidence: Record<string, unknown>) => {
    violation ??= { summary, evidence };
  };
  const replicaOf = (inspector: Inspector, id: NodeId, p: number) => {
    const process = inspector.process(id);
    if (!(process instanceof BrokerNode)) return null;
    const view = process.inspect();
    return view.up ? (view.replicas.get(p) ?? null) : null;
  };

  return {
    onTrace(event: TraceEvent, inspector: Inspector) {
      if (violation !== null || event.node === null) return;
      const p = event.fields?.p;
      if (typeof p !== 'number') return;
      const node = event.node;
      if (event.kind === 'broker.leader') {
        checks++;
        const epoch = event.fields!.epoch as number;
        const other = leaderOfEpoch.get(`${p}:${epoch}`);
        if (other !== undefined && other !== node) fail(`partition ${p} epoch ${epoch} has two leaders: ${other} and ${node}`, { p, epoch, leaders: [other, node] });
        leaderOfEpoch.set(`${p}:${epoch}`, node);
        const before = lastEpoch.get(`${node}:${p}`) ?? -1;
        if (epoch <= before) fail(`${node} led partition ${p} at epoch ${epoch} after epoch ${before}: leader epochs must grow`, { p, node, epoch, before });
        lastEpoch.set(`${node}:${p}`, epoch);
      } else if (event.kind === 'broker.hw') {
        checks++;
        const replica = replicaOf(inspector, node, p);
        if (replica === null) return;
        const hw = event.fields!.hw as number;
        for (const member of replica.maximalIsr()) {
          const other = replicaOf(inspector, member, p);
          if (other !== null && other.log.endOffset() < hw) {
            fail(`partition ${p}: leader ${node} raised its high watermark to ${hw} while ISR member ${member} holds only ${other.log.endOffset()} records`, { p, leader: node, member, hw, memberEnd: other.log.endOffset() });
          }
        }
        let table = committed.get(p);
        if (table === undefined) committed.set(p, (table = new Map()));
        for (let offset = lastHw.get(`${node}:${p}`) ?? 0; offset < hw; offset++) {
          const record = replica.log.recordAt(offset);
          if (record === undefined) continue;
          const seen = table.get(offset);
          if (seen === undefined) table.set(offset, identity(record));
          else if (seen !== identity(record)) fail(`partition ${p} offset ${offset} was committed as ${seen}, and now by ${node} as ${identity(record)}`, { p, offset, before: seen, now: identity(record), leader: node });
        }
        lastHw.set(`${node}:${p}`, hw);
      } else if (event.kind === 'broker.truncating') {
        checks++;
        const replica = replicaOf(inspector, node, p);
        const table = committed.get(p);
        if (replica === null || table === undefined) return;
        const to = event.fields!.to as number;
        for (let offset = to; offset < replica.log.endOffset(); offset++) {
          const record = replica.log.recordAt(offset)!;
          if (table.get(offset) === identity(record)) {
            fail(`partition ${p}: ${node} truncates to ${to}, removing committed offset ${offset} (${identity(record)}): ${String(event.fields!.why)}`, { p, node, to, offset, record: identity(record) });
            return;
          }
        }
      }
    },
    result(): CheckerResult {
      if (violation !== null) return { checker: 'invariants', verdict: 'invalid', summary: `broker invariants: ${violation.summary}`, evidence: violation.evidence };
      return { checker: 'invariants', verdict: 'valid', summary: `broker invariants: ${checks} leader, high-watermark and truncation events checked, none broken` };
    },
  };
}
