// A small client of the Raft KV client protocol for testing the TCP hosts: it issues random
// read/write/cas ops one at a time (or a fixed script of ops), follows redirects, and records the
// history Jepsen-style (a timeout is `info`, and the client continues as a new process).
import type { ClientHost, Message, NodeId, Process, ProcessFactory, TimerTag } from '../../../nodes/host.js';

export type KvOp = { f: 'read' | 'write' | 'cas'; key: string; value: null | number | [number, number] };

export interface KvClientOptions {
  /** Client number; process numbers are `index + stride * generation`. */
  index: number;
  stride: number;
  keys: number;
  timeoutNs: number;
  /** Pause between ops. */
  gapNs: number;
  /** Stop invoking at this time of the client's clock (the test epoch under the TCP client host). */
  stopAtNs: number;
  opsMax: number;
  /** A fixed script instead of random ops. */
  script?: readonly KvOp[];
  /** Always start at this node instead of a random one. */
  target?: NodeId;
}

/** Redirects followed within one op before giving up on it (as `fail`: nothing was proposed). */
const REDIRECTS_MAX = 5;

export function kvClient(options: KvClientOptions): ProcessFactory<ClientHost> {
  return (host: ClientHost): Process => {
    let generation = 0;
    let opsDone = 0;
    let seq = 0;
    let current: { op: KvOp; node: NodeId; redirects: number; timer: number } | null = null;
    let leader: NodeId | null = null;
    const processId = (): number => options.index + options.stride * generation;

    const nextOp = (): KvOp | null => {
      if (options.script) return options.script[opsDone] ?? null;
      const key = `k${host.random.int(options.keys)}`;
      const choice = host.random.int(3);
      if (choice === 0) return { f: 'read', key, value: null };
      if (choice === 1) return { f: 'write', key, value: host.random.int(5) };
      return { f: 'cas', key, value: [host.random.int(5), host.random.int(5)] };
    };

    const issue = (): void => {
      if (opsDone >= options.opsMax || host.monotonicNow() >= options.stopAtNs) return host.done();
      const op = nextOp();
      if (op === null) return host.done();
      opsDone += 1;
      seq += 1;
      const node = options.target ?? leader ?? host.random.pick(host.peers());
      host.record({ process: processId(), type: 'invoke', f: op.f, key: op.key, value: op.value });
      current = { op, node, redirects: 0, timer: host.setTimer(options.timeoutNs, `timeout-${seq}`) };
      host.send(node, { type: 'kv.request', client: host.id, seq, op });
    };

    const complete = (type: 'ok' | 'fail' | 'info', value: unknown, node?: NodeId): void => {
      const op = current!.op;
      host.cancelTimer(current!.timer);
      current = null;
      host.record({ process: processId(), type, f: op.f, key: op.key, value, ...(node ? { node } : {}) });
      if (type === 'info') generation += 1;
      host.setTimer(options.gapNs, 'next');
    };

    return {
      start(): void {
        host.setTimer(options.gapNs, 'next');
      },
      onMessage(from: NodeId, message: Message): void {
        const reply = message as { type?: string; seq?: number; outcome?: string; value?: unknown; leader?: NodeId | null };
        if (current === null || reply.type !== 'kv.reply' || reply.seq !== seq) return;
        const op = current.op;
        if (reply.outcome === 'ok') return complete('ok', op.f === 'read' ? (reply.value ?? null) : op.value, from);
        if (reply.outcome === 'fail' || reply.outcome === 'unavailable') return complete('fail', op.value, from);
        if (reply.outcome === 'redirect') {
          leader = reply.leader ?? null;
          current.redirects += 1;
          if (current.redirects > REDIRECTS_MAX) return complete('fail', op.value);
          current.node = leader ?? host.random.pick(host.peers());
          host.send(current.node, { type: 'kv.request', client: host.id, seq, op });
          return;
        }
        complete('info', op.value, from);
      },
      onTimer(tag: TimerTag): void {
        if (tag === 'next') return issue();
        if (current !== null && tag === `timeout-${seq}`) {
          leader = null;
          complete('info', current.op.value);
        }
      },
      onFsync(): void {},
    };
  };
}
