// The pure core on its own: a tiny in-memory network of cores where "persisting" a Ready is
// immediate. Covers what the interaction scripts do not: lease reads, the membership rule for
// votes, the proposal and read limits, transfer refusals, duplicated and lost snapshot chunks.
import { describe, expect, it } from 'vitest';
import { makeConfig } from './config.js';
import { crc32String } from './crc32.js';
import { CORE_DEFAULTS, NO_CORE_BUGS, RaftCore, type CoreOptions, type Outgoing, type ReadState } from './core.js';
import type { RaftMessage } from './types.js';

class Net {
  readonly cores = new Map<string, RaftCore>();
  readonly reads: ReadState[] = [];
  dropped = new Set<string>();
  /** Messages in flight, delivered by flush(). */
  queue: { from: string; out: Outgoing }[] = [];

  constructor(ids: string[], options: Partial<CoreOptions> = {}) {
    let seed = 1;
    for (const id of ids) {
      const core = new RaftCore({
        ...CORE_DEFAULTS,
        id,
        bootstrap: makeConfig(ids),
        randomTicks: (min, max) => min + (seed++ % (max - min + 1)),
        bugs: NO_CORE_BUGS,
        ...options,
      });
      this.cores.set(id, core);
    }
  }

  core(id: string): RaftCore {
    return this.cores.get(id)!;
  }

  /** Persists every Ready at once and delivers messages until nothing moves. */
  flush(roundsMax = 200): void {
    for (let round = 0; round < roundsMax; round++) {
      let moved = false;
      for (const [id, core] of this.cores) {
        while (core.hasReady()) {
          moved = true;
          const rd = core.ready();
          core.stableTo(core.log.lastIndex(), core.log.lastTerm());
          if (rd.committed.length > 0) core.appliedTo(rd.committed[rd.committed.length - 1]!.index);
          this.reads.push(...rd.readStates);
          for (const out of rd.messages) this.queue.push({ from: id, out });
        }
      }
      const batch = this.queue;
      this.queue = [];
      for (const { from, out } of batch) {
        moved = true;
        if (this.dropped.has(from) || this.dropped.has(out.to)) continue;
        this.cores.get(out.to)?.receive(from, out.message);
      }
      if (!moved) return;
    }
    throw new Error('the network did not settle');
  }

  elect(id: string): void {
    const core = this.core(id);
    for (let k = 0; k < 100 && core.role !== 'leader'; k++) {
      core.tick();
      this.flush();
    }
    expect(core.role).toBe('leader');
  }

  ticks(id: string, count: number): void {
    for (let k = 0; k < count; k++) {
      this.core(id).tick();
      this.flush();
    }
  }
}

describe('RaftCore', () => {
  it('grants votes only to voters of its newest configuration', () => {
    const net = new Net(['n1', 'n2', 'n3']);
    const n2 = net.core('n2');
    const request: RaftMessage = { type: 'raft.vote', term: 5, lastIndex: 9, lastTerm: 4, transfer: false };
    n2.receive('n9', request);
    const fromStranger = n2.ready().messages.find((m) => m.to === 'n9')!;
    expect(fromStranger.message).toMatchObject({ type: 'raft.vote.resp', reject: true });
    n2.receive('n3', { ...request, term: 6 });
    const fromMember = n2.ready().messages.find((m) => m.to === 'n3')!;
    expect(fromMember.message).toMatchObject({ type: 'raft.vote.resp', reject: false });
    expect(fromMember.durable).toBe(true);
  });

  it('serves a lease read at once within the lease, and needs a round after it', () => {
    const net = new Net(['n1', 'n2', 'n3'], { leaseReads: true });
    net.elect('n1');
    net.ticks('n1', CORE_DEFAULTS.heartbeatTicks);
    const n1 = net.core('n1');
    expect(n1.readIndex(1)).toBe(true);
    // Answered from the lease: no message was needed.
    expect(n1.ready().readStates).toEqual([{ id: 1, index: n1.log.committed }]);
    // Cut off from everyone, the lease runs out before an election timeout minus the margin.
    net.dropped.add('n1');
    net.ticks('n1', CORE_DEFAULTS.electionTicksMin);
    expect(n1.readIndex(2)).toBe(true);
    net.flush();
    expect(net.reads.some((read) => read.id === 2)).toBe(false);
  });

  it('confirms a ReadIndex read only after a quorum answered the round', () => {
    const net = new Net(['n1', 'n2', 'n3']);
    net.elect('n1');
    const n1 = net.core('n1');
    net.dropped.add('n2');
    net.dropped.add('n3');
    expect(n1.readIndex(7)).toBe(true);
    net.flush();
    expect(net.reads).toEqual([]);
    net.dropped.delete('n2');
    net.ticks('n1', CORE_DEFAULTS.heartbeatTicks);
    expect(net.reads).toEqual([{ id: 7, index: n1.log.committed }]);
  });

  it('refuses proposals beyond the uncommitted limit, and while transferring leadership', () => {
    const net = new Net(['n1', 'n2', 'n3'], { uncommittedMax: 3 });
    net.elect('n1');
    const n1 = net.core('n1');
    net.dropped.add('n2');
    net.dropped.add('n3');
    const accepted = [1, 2, 3, 4].map((seq) => n1.propose({ kind: 'kv', client: 'c', seq, op: { f: 'write', key: 'k', value: seq } }));
    expect(accepted.filter((index) => index !== null).length).toBe(3);
    net.dropped.clear();
    net.flush();
    expect(n1.admin({ kind: 'transfer-leader', to: 'n2' })).toBeNull();
    expect(n1.propose({ kind: 'noop' })).toBeNull();
  });

  it('aborts a leadership transfer that does not complete within an election timeout', () => {
    const net = new Net(['n1', 'n2', 'n3']);
    net.elect('n1');
    const n1 = net.core('n1');
    net.dropped.add('n3');
    expect(n1.admin({ kind: 'transfer-leader', to: 'n3' })).toBeNull();
    expect(n1.transferTarget()).toBe('n3');
    net.ticks('n1', CORE_DEFAULTS.electionTicksMin);
    expect(n1.transferTarget()).toBeNull();
    expect(n1.role).toBe('leader');
    expect(n1.propose({ kind: 'noop' })).not.toBeNull();
  });

  it('assembles a snapshot from chunks despite duplicates, and restarts on a new one', () => {
    const core = new RaftCore({ ...CORE_DEFAULTS, id: 'n2', bootstrap: makeConfig(['n1', 'n2']), randomTicks: (min) => min, bugs: NO_CORE_BUGS });
    const meta = { index: 10, term: 2, config: makeConfig(['n1', 'n2']), chain: 5 };
    const data = '{"v":[["x",1]],"s":[]}';
    const crc = crc32String(data);
    const chunk = (offset: number, size: number): RaftMessage => ({ type: 'raft.snapshot', term: 2, meta, offset, chunk: data.slice(offset, offset + size), total: data.length, crc });
    core.receive('n1', chunk(0, 8));
    core.receive('n1', chunk(0, 8));
    core.receive('n1', chunk(16, 8));
    const answers = core.ready().messages.map((m) => m.message);
    expect(answers.map((m) => (m as { offset: number }).offset)).toEqual([8, 8, 8]);
    core.receive('n1', chunk(8, 8));
    core.receive('n1', chunk(16, 100));
    const rd = core.ready();
    expect(rd.snapshot?.meta.index).toBe(10);
    expect(core.log.committed).toBe(10);
    expect(rd.messages.at(-1)?.message).toMatchObject({ type: 'raft.snapshot.resp', index: 10 });
    expect(rd.messages.at(-1)?.durable).toBe(true);
  });

  it('answers duplicated responses with nothing: no append storm under message duplication', () => {
    const net = new Net(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.flush();
    const n1 = net.core('n1');
    // n2 misses a proposal, so it lags and its heartbeat response asks for an append.
    net.dropped.add('n2');
    expect(n1.propose({ kind: 'noop' })).not.toBeNull();
    net.flush();
    net.dropped.delete('n2');
    n1.ready();
    const sentTo = (to: string): RaftMessage[] => (n1.hasReady() ? n1.ready().messages.filter((m) => m.to === to).map((m) => m.message) : []);
    // A real heartbeat round: n2 answers it once; the network delivers that answer twice.
    let heartbeat: RaftMessage | undefined;
    for (let k = 0; k < 20 && heartbeat === undefined; k++) {
      n1.tick();
      heartbeat = sentTo('n2').find((m) => m.type === 'raft.heartbeat');
    }
    expect(heartbeat).toBeDefined();
    const n2 = net.core('n2');
    n2.receive('n1', heartbeat!);
    const heartbeatResp = n2.ready().messages.find((m) => m.message.type === 'raft.heartbeat.resp')!.message;
    n1.receive('n2', heartbeatResp);
    expect(sentTo('n2').filter((m) => m.type === 'raft.append')).toHaveLength(1);
    n1.receive('n2', heartbeatResp);
    expect(sentTo('n2')).toEqual([]);
    // An acknowledgement of what the leader already knows n2 has (a duplicate) sends nothing either.
    const match = n1.progressOf('n2')!.match;
    const staleAck: RaftMessage = { type: 'raft.append.resp', term: n1.term, index: match, reject: false, hintIndex: 0, hintTerm: 0, ctx: 0 };
    n1.receive('n2', staleAck);
    n1.receive('n2', staleAck);
    expect(sentTo('n2')).toEqual([]);
    // The cluster still converges once messages flow again.
    net.ticks('n1', 10);
    expect(net.core('n2').log.committed).toBe(n1.log.committed);
  });
});
