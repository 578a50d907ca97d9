// A closed-loop write load for the cluster benchmark: each connection carries several logical
// clients of the Raft KV client protocol, each with one write outstanding at a time, aimed at the
// leader. Logical client j of a connection uses seqs j+1, j+1+L, j+1+2L, ...: increasing per
// client (as sessions require) and unique on the connection, so a reply's seq names its client.
import type { ClientHost, Message, NodeId, Process, TimerTag } from '../../nodes/host.js';

export interface WriteLoadStats {
  /** Acknowledged writes whose reply arrived inside the measuring window. */
  writes: number;
  /** Their latencies in ns (bounded sample). */
  latenciesNs: number[];
  refused: number;
  retries: number;
}

export interface WriteLoadOptions {
  /** Logical clients on this connection. */
  clients: number;
  keys: number;
  /** Replies between these times (the host clock) are counted. */
  measureFromNs: number;
  measureToNs: number;
  /** A write unanswered this long is sent again with the same seq (the session makes it idempotent). */
  retryNs: number;
  /** Where writes go first; redirects correct it. */
  leader: NodeId;
  stats: WriteLoadStats;
}

/** Latencies kept per run; beyond this the sample stops growing (the count goes on). */
const LATENCY_SAMPLES_MAX = 2_000_000;

export function writeLoadClient(options: WriteLoadOptions): (host: ClientHost) => Process {
  return (host) => {
    const clients = options.clients;
    const sentAtNs = new Float64Array(clients);
    const seqs = new Float64Array(clients);
    const timers: number[] = new Array<number>(clients).fill(-1);
    let leader: NodeId = options.leader;
    let stopped = false;

    const send = (j: number): void => {
      const seq = seqs[j]!;
      host.send(leader, { type: 'kv.request', client: `${host.id}.${j}`, seq, op: { f: 'write', key: `k${(seq + j) % options.keys}`, value: seq } });
      if (timers[j]! >= 0) host.cancelTimer(timers[j]!);
      timers[j] = host.setTimer(options.retryNs, j);
    };

    const next = (j: number): void => {
      if (host.monotonicNow() >= options.measureToNs) {
        if (!stopped) {
          stopped = true;
          host.done();
        }
        return;
      }
      seqs[j] = seqs[j]! + clients;
      sentAtNs[j] = host.monotonicNow();
      send(j);
    };

    return {
      start(): void {
        for (let j = 0; j < clients; j += 1) {
          seqs[j] = j + 1 - clients;
          next(j);
        }
      },
      onMessage(_from: NodeId, message: Message): void {
        const reply = message as { type?: string; seq?: number; outcome?: string; leader?: NodeId | null };
        if (reply.type !== 'kv.reply' || typeof reply.seq !== 'number') return;
        const j = (reply.seq - 1) % clients;
        if (j < 0 || seqs[j] !== reply.seq) return;
        if (reply.outcome === 'ok') {
          const nowNs = host.monotonicNow();
          if (nowNs >= options.measureFromNs && nowNs < options.measureToNs) {
            options.stats.writes += 1;
            if (options.stats.latenciesNs.length < LATENCY_SAMPLES_MAX) options.stats.latenciesNs.push(nowNs - sentAtNs[j]!);
          }
          return next(j);
        }
        if (reply.outcome === 'redirect' && reply.leader) {
          leader = reply.leader;
          options.stats.retries += 1;
          return send(j);
        }
        // Refused (no leader yet, queue full): try again when the retry timer fires.
        options.stats.refused += 1;
      },
      onTimer(tag: TimerTag): void {
        const j = tag as number;
        timers[j] = -1;
        if (stopped) return;
        options.stats.retries += 1;
        // Maybe the leader changed: spread retries over the nodes until a redirect says where.
        leader = host.random.pick(host.peers());
        send(j);
      },
      onFsync(): void {},
    };
  };
}

/** The q-quantile of a sample (nearest rank), in ns. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
