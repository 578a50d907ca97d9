// The queue workload's client, in the shape of Jepsen's Kafka workload: integer keys, each its own
// partition; `send` appends unique values to a key (one batch, one to three values); `poll` reads
// from every assigned key at the consumer's positions; `assign` picks a new set of keys (positions of
// newly assigned keys start from the beginning). In the final phase every client assigns all keys
// from the beginning and polls until it has read past every offset it knows of and a poll comes
// back empty. One op at a time, paced as a Poisson process at the client's share of the rate.
//
// With `subscribe`, the client is a member of consumer group `g` instead: `subscribe` joins (or
// rejoins, after its heartbeat heard of a rebalance) and starts each assigned key at the group's
// committed offset (the beginning when none: an earliest reset policy); `commit` commits its
// positions under its generation. A refused commit (stale generation) is `fail` and a rejoin follows.
//
// The producer is idempotent (KIP-98): an id drawn per process number and a sequence number per
// key, so an attempt that got no answer is sent again with the same sequence (to the leader it now
// knows) until the op's deadline, and the broker appends it at most once. A certain refusal (not
// the leader, not enough replicas, busy) is retried the same way; the deadline, or an "appended,
// not known committed" answer, ends the op `info`, and the next process number is a new producer.
import type { ClientHost, NodeId, Process, TimerTag } from '../../nodes/host.js';
import { NS_PER_MS } from '../../nodes/host.js';
import type { Acks, ClientReply, FetchReply, GroupReply, GroupRequest, PartitionLeader, ProduceReply } from '../../nodes/broker/index.js';
import type { WorkloadParams } from '../system.js';
import { exponentialGapNs, opsShare, processNumber, spreadGapNs } from '../pacing.js';
import type { QueueOptions } from './options.js';

/** How long a poll waits for its fetches before it completes with what came. */
const POLL_WAIT_NS = 100 * NS_PER_MS;
/** A refused send or an unknown leader waits this long before the next attempt. */
const RETRY_NS = 25 * NS_PER_MS;
/** An attempt unanswered for this share of the op timeout is sent again (same sequence). */
const ATTEMPTS_PER_TIMEOUT = 4;
/** Largest fetch reply a consumer asks for. */
const FETCH_MAX_BYTES = 64 * 1024;
/** Final polls per client, at most (each reads up to FETCH_MAX_BYTES per key). */
const FINAL_POLLS_MAX = 200;

type Op =
  | { f: 'send'; key: number; values: number[]; deadlineNs: number; id: number; firstSeq: number; unanswered: boolean }
  | { f: 'poll'; final: boolean; keys: number[]; pending: Set<number>; refused: Set<number>; polls: Record<string, [number, number][]>; ids: Map<number, number> }
  | { f: 'assign'; keys: number[] }
  | { f: 'subscribe' | 'commit'; id: number; deadlineNs: number; offsets: Record<string, number> };

const GROUP = 'g';
const HEARTBEAT_NS = 100 * NS_PER_MS;

export class QueueClient implements Process {
  private readonly budget: number;
  private readonly gapMeanNs: number;
  private readonly finalAtNs: number;
  private readonly acks: Acks;
  private startNs = 0;
  private invoked = 0;
  private generation = 0;
  private nextValue = 0;
  private nextId = 0;
  private op: Op | null = null;
  private leaders: PartitionLeader[] = [];
  private assigned: number[];
  private readonly positions = new Map<number, number>();
  /** The highest offset this client has seen per key (its sends and polls): the final phase reads past it. */
  private readonly seen = new Map<number, number>();
  private phase: 'config' | 'run' | 'final' | 'done' = 'run';
  private finalPolls = 0;
  private configId = -1;
  /** Numbers the polls, so a late timer of an earlier poll cannot end a later one. */
  private pollSeq = 0;
  private producerId: number;
  /** Group membership (with `subscribe`): this client's member id, generation, the coordinator it knows. */
  private readonly member: string;
  private groupGeneration = -1;
  private needsJoin = true;
  private coordinator: NodeId | null = null;
  /** The next sequence number per key of this producer. */
  private readonly sequences = new Map<number, number>();

  constructor(
    private readonly host: ClientHost,
    private readonly params: WorkloadParams,
    private readonly index: number,
    private readonly options: QueueOptions,
  ) {
    this.budget = opsShare(params.opsMax, params.clients, index);
    this.finalAtNs = Math.max(0, params.stopInvokingAtNs - options.finalPhaseMs * NS_PER_MS);
    this.gapMeanNs = spreadGapNs(params.opsPerSecond, params.clients, this.budget, this.finalAtNs, 0.95);
    this.acks = options.acks === 'all' ? -1 : options.acks;
    this.assigned = Array.from({ length: options.keys }, (_, k) => k);
    if (options.uncleanElection && index === 0) this.phase = 'config';
    this.producerId = this.newProducerId();
    this.member = `${host.id}.${host.random.int(2 ** 30).toString(36)}`;
  }

  private newProducerId(): number {
    // Distinct across clients by construction, random across a client's process numbers.
    return this.host.random.int(2 ** 30) * this.params.clients + this.index;
  }

  start(): void {
    this.startNs = this.host.monotonicNow();
    this.refreshMeta();
    if (this.phase === 'config') this.sendConfig();
    else this.host.setTimer(exponentialGapNs(this.host.random, this.gapMeanNs), 'arrive');
    if (this.options.subscribe) this.host.setTimer(HEARTBEAT_NS, 'heartbeat');
  }

  onMessage(from: NodeId, message: unknown): void {
    const reply = message as ClientReply | GroupReply;
    switch (reply.type) {
      case 'broker.meta.reply':
        if (Array.isArray(reply.partitions)) this.leaders = reply.partitions;
        return;
      case 'broker.config.reply':
        if (this.phase === 'config' && reply.id === this.configId && reply.outcome === 'ok') {
          this.phase = 'run';
          this.host.log('queue.config', { uncleanElection: true });
          this.host.setTimer(exponentialGapNs(this.host.random, this.gapMeanNs), 'arrive');
        }
        return;
      case 'broker.produce.reply':
        return this.onProduceReply(reply);
      case 'broker.fetch.reply':
        return this.onFetchReply(reply);
      case 'broker.group.reply':
        return this.onGroupReply(reply);
      default:
        void from;
    }
  }

  onTimer(tag: TimerTag): void {
    if (tag === 'arrive') return this.arrive();
    if (tag === 'heartbeat') return this.heartbeat();
    if (typeof tag === 'string' && tag.startsWith('group:')) return this.groupTimer(Number(tag.slice(6)));
    if (typeof tag === 'string' && tag.startsWith('group-retry:')) return this.groupRetry(Number(tag.slice(12)));
    if (tag === 'config') return this.sendConfig();
    if (tag === `poll-done:${this.pollSeq}`) return this.finishPoll();
    if (typeof tag === 'string' && tag.startsWith('send:')) return this.sendTimer(Number(tag.slice(5)));
  }

  onFsync(): void {}

  private elapsedNs(): number {
    return this.host.monotonicNow() - this.startNs;
  }

  private process(): number {
    return processNumber(this.index, this.params.clients, this.generation);
  }

  private sendConfig(): void {
    if (this.phase !== 'config') return;
    this.configId = ++this.nextId;
    this.host.send(this.host.random.pick(this.params.nodes), { type: 'broker.config', id: this.configId, uncleanElection: true });
    this.host.setTimer(200 * NS_PER_MS, 'config');
  }

  private refreshMeta(hint?: NodeId | null): void {
    this.host.send(hint ?? this.host.random.pick(this.params.nodes), { type: 'broker.meta' });
  }

  private leaderOf(key: number): NodeId | null {
    return this.leaders[key % Math.max(1, this.leaders.length)]?.leader ?? null;
  }

  private arrive(): void {
    if (this.op !== null || this.phase === 'done' || this.phase === 'config') return;
    if (this.phase === 'run' && (this.elapsedNs() >= this.finalAtNs || this.invoked >= this.budget)) {
      if (this.elapsedNs() < this.finalAtNs) {
        this.host.setTimer(this.finalAtNs - this.elapsedNs(), 'arrive');
        return;
      }
      this.phase = 'final';
      this.invokeAssign(Array.from({ length: this.options.keys }, (_, k) => k), true);
      return;
    }
    if (this.phase === 'final') {
      this.invokePoll(true);
      return;
    }
    this.invoked++;
    if (this.options.subscribe && this.needsJoin) return this.invokeGroup('subscribe');
    const draw = this.host.random.int(100);
    if (draw < this.options.sendPercent) this.invokeSend();
    else if (draw < this.options.sendPercent + this.options.assignPercent) {
      if (this.options.subscribe) this.invokeGroup('commit');
      else this.invokeAssign(this.drawKeys(), false);
    } else this.invokePoll(false);
  }

  private next(): void {
    if (this.phase === 'final') {
      this.host.setTimer(RETRY_NS, 'arrive');
      return;
    }
    // Never past the final phase's start: it needs all its time to read everything back.
    const untilFinalNs = Math.max(1, this.finalAtNs - this.elapsedNs());
    this.host.setTimer(Math.min(exponentialGapNs(this.host.random, this.gapMeanNs), untilFinalNs), 'arrive');
  }

  private drawKeys(): number[] {
    const keys = Array.from({ length: this.options.keys }, (_, k) => k).filter(() => this.host.random.chance(1, 2));
    return keys.length > 0 ? keys : [this.host.random.int(this.options.keys)];
  }

  private invokeAssign(keys: number[], fromBeginning: boolean): void {
    const process = this.process();
    this.host.record({ process, type: 'invoke', f: 'assign', value: { keys } });
    for (const key of keys) if (fromBeginning || !this.assigned.includes(key)) this.positions.set(key, 0);
    this.assigned = keys;
    this.host.record({ process, type: 'ok', f: 'assign', value: { keys } });
    this.next();
  }

  private invokeSend(): void {
    const key = this.host.random.int(this.options.keys);
    const count = this.host.random.range(1, this.options.valuesPerSendMax);
    const values = Array.from({ length: count }, () => this.index + this.params.clients * this.nextValue++);
    const op: Op = { f: 'send', key, values, deadlineNs: this.host.monotonicNow() + this.params.timeoutNs, id: ++this.nextId, firstSeq: this.sequences.get(key) ?? 0, unanswered: false };
    this.op = op;
    this.host.record({ process: this.process(), type: 'invoke', f: 'send', value: { key, values } });
    this.attemptSend(op);
  }

  private attemptSend(op: Extract<Op, { f: 'send' }>): void {
    const leader = this.leaderOf(op.key);
    if (leader === null) {
      this.refreshMeta();
      this.host.setTimer(RETRY_NS, `send:${op.id}`);
      return;
    }
    this.host.send(leader, { type: 'broker.produce', id: op.id, partition: op.key, acks: this.acks, producerId: this.producerId, firstSeq: op.firstSeq, records: op.values.map((value) => [op.key, value]) });
    if (this.acks === 0) {
      this.endSend(op, 'info', { key: op.key, values: op.values });
      return;
    }
    const attemptNs = Math.max(1, Math.floor(this.params.timeoutNs / ATTEMPTS_PER_TIMEOUT));
    this.host.setTimer(Math.max(1, Math.min(attemptNs, op.deadlineNs - this.host.monotonicNow())), `send:${op.id}`);
  }

  private sendTimer(id: number): void {
    const op = this.op;
    if (op === null || op.f !== 'send' || op.id !== id) return;
    if (this.host.monotonicNow() >= op.deadlineNs) {
      this.endSend(op, 'info', { key: op.key, values: op.values });
      return;
    }
    // No answer yet: the leader may have moved. The same sequence makes the resend safe, but the
    // op can no longer fail for certain: that attempt may have been appended.
    op.unanswered = true;
    op.id = ++this.nextId;
    this.refreshMeta();
    this.attemptSend(op);
  }

  private onProduceReply(reply: ProduceReply): void {
    const op = this.op;
    if (op === null || op.f !== 'send' || reply.id !== op.id) return;
    if (reply.outcome === 'ok' && typeof reply.baseOffset === 'number') {
      const offsets = op.values.map((_, k) => reply.baseOffset! + k);
      this.noteSeen(op.key, offsets[offsets.length - 1]!);
      this.sequences.set(op.key, op.firstSeq + op.values.length);
      this.endSend(op, 'ok', { key: op.key, values: op.values, offsets });
      return;
    }
    if (reply.outcome === 'unknown') {
      this.endSend(op, 'info', { key: op.key, values: op.values });
      return;
    }
    // Certainly not appended: find the leader and try again, within the op's deadline.
    this.refreshMeta(reply.leader);
    op.id = ++this.nextId;
    if (this.host.monotonicNow() + RETRY_NS >= op.deadlineNs) {
      if (op.unanswered) this.endSend(op, 'info', { key: op.key, values: op.values, error: reply.outcome });
      else this.endSend(op, 'fail', { key: op.key, values: op.values, error: reply.outcome });
      return;
    }
    this.host.setTimer(RETRY_NS, `send:${op.id}`);
  }

  private endSend(op: Extract<Op, { f: 'send' }>, type: 'ok' | 'fail' | 'info', value: unknown): void {
    this.op = null;
    op.id = -1;
    this.host.record({ process: this.process(), type, f: 'send', value });
    if (type === 'info') {
      // Its batch may yet land under this sequence: the next process is a new producer.
      this.generation++;
      this.producerId = this.newProducerId();
      this.sequences.clear();
    }
    this.next();
  }

  private invokePoll(final: boolean): void {
    const keys = [...this.assigned];
    const op: Extract<Op, { f: 'poll' }> = { f: 'poll', final, keys, pending: new Set(), refused: new Set(), polls: {}, ids: new Map() };
    this.op = op;
    this.host.record({ process: this.process(), type: 'invoke', f: 'poll', value: { keys, final } });
    for (const key of keys) {
      op.polls[String(key)] = [];
      const leader = this.leaderOf(key);
      if (leader === null) {
        op.refused.add(key);
        continue;
      }
      const id = ++this.nextId;
      op.ids.set(id, key);
      op.pending.add(key);
      this.host.send(leader, { type: 'broker.fetch', id, partition: key, offset: this.positions.get(key) ?? 0, maxBytes: FETCH_MAX_BYTES });
    }
    if (op.pending.size === 0) {
      this.refreshMeta();
      this.finishPoll();
      return;
    }
    this.host.setTimer(POLL_WAIT_NS, `poll-done:${++this.pollSeq}`);
  }

  private onFetchReply(reply: FetchReply): void {
    const op = this.op;
    if (op === null || op.f !== 'poll') return;
    const key = op.ids.get(reply.id);
    if (key === undefined || !op.pending.delete(key)) return;
    if (reply.outcome === 'ok') {
      const from = this.positions.get(key) ?? 0;
      const pairs = reply.records.filter(([offset]) => offset >= from);
      op.polls[String(key)] = pairs;
      if (pairs.length > 0) {
        const last = pairs[pairs.length - 1]![0];
        this.positions.set(key, last + 1);
        this.noteSeen(key, last);
      }
    } else {
      op.refused.add(key);
      this.refreshMeta(reply.leader);
    }
    if (op.pending.size === 0) this.finishPoll();
  }

  private finishPoll(): void {
    const op = this.op;
    if (op === null || op.f !== 'poll') return;
    this.op = null;
    // Drained: every key's leader answered, with nothing more, and we are past every offset we know.
    const drained =
      op.final &&
      op.refused.size === 0 &&
      op.pending.size === 0 &&
      Object.values(op.polls).every((pairs) => pairs.length === 0) &&
      [...this.seen].every(([key, offset]) => (this.positions.get(key) ?? 0) > offset);
    this.host.record({ process: this.process(), type: 'ok', f: 'poll', value: { final: op.final, ...(drained ? { drained } : {}), polls: op.polls } });
    if (op.final) {
      this.finalPolls++;
      const outOfTime = this.elapsedNs() >= this.params.stopInvokingAtNs;
      if (drained || this.finalPolls >= FINAL_POLLS_MAX || outOfTime) {
        this.phase = 'done';
        this.host.done();
        return;
      }
    }
    this.next();
  }

  // ------------------------------------------------------------------ consumer groups

  private heartbeat(): void {
    if (this.phase === 'final' || this.phase === 'done') return;
    this.host.setTimer(HEARTBEAT_NS, 'heartbeat');
    if (this.needsJoin) return;
    this.host.send(this.coordinator ?? this.host.random.pick(this.params.nodes), { type: 'broker.group', id: 0, action: 'heartbeat', group: GROUP, member: this.member, generation: this.groupGeneration } satisfies GroupRequest);
  }

  private invokeGroup(f: 'subscribe' | 'commit'): void {
    const offsets: Record<string, number> = {};
    if (f === 'commit') for (const key of this.assigned) if (this.positions.has(key)) offsets[String(key)] = this.positions.get(key)!;
    const op: Extract<Op, { f: 'subscribe' | 'commit' }> = { f, id: ++this.nextId, deadlineNs: this.host.monotonicNow() + this.params.timeoutNs, offsets };
    this.op = op;
    this.host.record({ process: this.process(), type: 'invoke', f, value: f === 'commit' ? { offsets, generation: this.groupGeneration } : { group: GROUP } });
    this.attemptGroup(op);
  }

  private attemptGroup(op: Extract<Op, { f: 'subscribe' | 'commit' }>): void {
    const request: GroupRequest = { type: 'broker.group', id: op.id, action: op.f === 'subscribe' ? 'join' : 'commit', group: GROUP, member: this.member, generation: this.groupGeneration, ...(op.f === 'commit' ? { offsets: op.offsets } : {}) };
    this.host.send(this.coordinator ?? this.host.random.pick(this.params.nodes), request);
    this.host.setTimer(Math.max(1, Math.min(RETRY_NS * 8, op.deadlineNs - this.host.monotonicNow())), `group:${op.id}`);
  }

  private groupTimer(id: number): void {
    const op = this.op;
    if (op === null || (op.f !== 'subscribe' && op.f !== 'commit') || op.id !== id) return;
    if (this.host.monotonicNow() >= op.deadlineNs) return this.endGroup(op, 'info', null);
    this.coordinator = null;
    // A join is safe to repeat; a commit only while its earlier attempt's fate is known (see below).
    if (op.f === 'commit') return this.endGroup(op, 'info', null);
    op.id = ++this.nextId;
    this.attemptGroup(op);
  }

  private onGroupReply(reply: GroupReply): void {
    if (reply.outcome === 'not-coordinator') this.coordinator = reply.coordinator ?? null;
    if (reply.id === 0) {
      if (reply.outcome === 'rebalance') this.needsJoin = true;
      return;
    }
    const op = this.op;
    if (op === null || (op.f !== 'subscribe' && op.f !== 'commit') || op.id !== reply.id) return;
    if (reply.outcome === 'ok') {
      if (op.f === 'subscribe') {
        this.groupGeneration = reply.generation ?? -1;
        this.needsJoin = false;
        this.assigned = [...(reply.partitions ?? [])].filter((key) => key < this.options.keys);
        // Eager rebalance: every assigned key starts at the group's committed offset (earliest when none).
        this.positions.clear();
        for (const key of this.assigned) this.positions.set(key, reply.offsets?.[String(key)] ?? 0);
        return this.endGroup(op, 'ok', { group: GROUP, member: this.member, generation: this.groupGeneration, keys: this.assigned, offsets: reply.offsets ?? {} });
      }
      return this.endGroup(op, 'ok', { offsets: op.offsets, generation: this.groupGeneration });
    }
    if (reply.outcome === 'stale-generation' || reply.outcome === 'rebalance') {
      this.needsJoin = true;
      return op.f === 'commit' ? this.endGroup(op, 'fail', { offsets: op.offsets, generation: this.groupGeneration, error: reply.outcome }) : undefined;
    }
    if (reply.outcome === 'unavailable') return this.endGroup(op, 'info', null);
    // not-coordinator or busy: nothing changed; try again shortly, within the deadline.
    if (this.host.monotonicNow() + RETRY_NS >= op.deadlineNs) return this.endGroup(op, op.f === 'commit' ? 'fail' : 'info', null);
    op.id = ++this.nextId;
    this.host.setTimer(RETRY_NS, `group-retry:${op.id}`);
  }

  private groupRetry(id: number): void {
    const op = this.op;
    if (op !== null && (op.f === 'subscribe' || op.f === 'commit') && op.id === id) this.attemptGroup(op);
  }

  private endGroup(op: Extract<Op, { f: 'subscribe' | 'commit' }>, type: 'ok' | 'fail' | 'info', value: unknown): void {
    this.op = null;
    op.id = -1;
    this.host.record({ process: this.process(), type, f: op.f, value: value ?? (op.f === 'commit' ? { offsets: op.offsets, generation: this.groupGeneration } : { group: GROUP }) });
    if (type === 'info') this.generation++;
    this.next();
  }

  private noteSeen(key: number, offset: number): void {
    if (offset > (this.seen.get(key) ?? -1)) this.seen.set(key, offset);
  }
}
