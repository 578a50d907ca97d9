// A deliberately simple system for testing the fault runner without Raft: one register replicated
// primary/backup. The primary is the lowest node id; it applies a write, fsyncs it, tells the
// backups, and answers the client once the fsync completes. It has three planted bugs:
//   test.ack-before-fsync  answer a write before its fsync, so a crash can lose an acknowledged write;
//   test.backup-garbage    a backup applies a value the primary never had (the invariant monitor sees it);
//   test.throw-on-13       the primary throws on a write of 13 (an assertion failure in `world.failures()`).
// It is registered only in tests, never in workloads/registry.ts.
import { DiskError, NS_PER_MS, type ClientHost, type Host, type Message, type NodeId, type Process, type ProcessFactory } from '../../nodes/host.js';
import type { History } from '../../histories/schema.js';
import type { CheckerResult } from '../../checkers/verdict.js';
import type { CheckContext, InvariantMonitor, SystemPlugin, TraceEvent, Workload, WorkloadParams } from '../system.js';
import { checkRegister } from './register-check.js';

type RegRequest = { type: 'reg.request'; seq: number; f: 'read' | 'write'; value: number | null };
type RegReply = { type: 'reg.reply'; seq: number; ok: boolean; value: number | null };
type RegReplicate = { type: 'reg.replicate'; value: number };

const FILE = 'register.log';

/** A record is `value:client:seq:check` on its own line; the check catches torn and corrupted tails. */
function check(value: number, client: string, seq: number): number {
  let hash = Math.imul(value ^ 0x5bd1e995, 0x27d4eb2d) ^ seq;
  for (let index = 0; index < client.length; index++) hash = Math.imul(hash ^ client.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

function encode(value: number, client: string, seq: number): Uint8Array {
  return new TextEncoder().encode(`${value}:${client}:${seq}:${check(value, client, seq)}\n`);
}

/** Replays the log's whole, well-checked records: the last value and each client's last seq. */
function replay(bytes: Uint8Array | null): { value: number | null; lastSeq: Map<string, number> } {
  const lastSeq = new Map<string, number>();
  let value: number | null = null;
  if (bytes === null) return { value, lastSeq };
  for (const line of new TextDecoder().decode(bytes).split('\n')) {
    const [text, client, seqText, sum] = line.split(':');
    const parsed = Number(text);
    const seq = Number(seqText);
    if (client === undefined || !Number.isSafeInteger(parsed) || !Number.isSafeInteger(seq)) continue;
    if (Number(sum) !== check(parsed, client, seq)) continue;
    value = parsed;
    lastSeq.set(client, seq);
  }
  return { value, lastSeq };
}

class RegisterNode implements Process {
  /** The last acknowledged (durable) value: what reads return. */
  private value: number | null = null;
  /** One write at a time waits for its fsync; a second one is refused (`fail`: certainly not done). */
  private pending: { tag: number; client: NodeId; seq: number; value: number } | null = null;
  private nextTag = 1;
  /** Each client's highest request seq seen, so a duplicated request is not applied twice. */
  private lastSeq = new Map<string, number>();

  constructor(private readonly host: Host) {}

  private isPrimary(): boolean {
    return this.host.peers()[0] === this.host.id;
  }

  start(): void {
    const replayed = replay(this.host.disk.read(FILE));
    this.value = replayed.value;
    this.lastSeq = replayed.lastSeq;
  }

  status() {
    return { part: this.isPrimary() ? 'primary' : 'backup' };
  }

  onMessage(from: NodeId, message: Message): void {
    const m = message as RegRequest | RegReplicate;
    if (m.type === 'reg.replicate') {
      this.applied(this.host.bug('test.backup-garbage') ? m.value + 1 : m.value);
      return;
    }
    if (m.type !== 'reg.request') return;
    if (!this.isPrimary()) {
      this.reply(from, { type: 'reg.reply', seq: m.seq, ok: false, value: null });
      return;
    }
    if (m.f === 'read') {
      // A fault point (BUGGIFY): sometimes refuse a read, a rare path a real primary has when busy.
      const refuse = this.host.faultPoint('reg.refuse-read');
      this.reply(from, { type: 'reg.reply', seq: m.seq, ok: !refuse, value: refuse ? null : this.value });
      return;
    }
    // A duplicated or late copy of a request already handled is dropped before anything else, or
    // it could be applied twice or answered twice.
    if (m.seq <= (this.lastSeq.get(from) ?? 0)) return;
    this.lastSeq.set(from, m.seq);
    if (this.pending !== null) {
      this.reply(from, { type: 'reg.reply', seq: m.seq, ok: false, value: null });
      return;
    }
    const value = m.value as number;
    if (value === 13 && this.host.bug('test.throw-on-13')) throw new Error('assertion failed: 13 is unlucky');
    try {
      this.host.disk.append(FILE, encode(value, from, m.seq));
    } catch (error) {
      // A full disk refuses the append outright: nothing was written, so `fail` is the truth.
      if (!(error instanceof DiskError)) throw error;
      this.reply(from, { type: 'reg.reply', seq: m.seq, ok: false, value: null });
      return;
    }
    if (this.host.bug('test.ack-before-fsync')) {
      this.commit(value);
      this.reply(from, { type: 'reg.reply', seq: m.seq, ok: true, value });
      this.host.disk.fsync(FILE, 0);
      return;
    }
    const tag = this.nextTag++;
    this.pending = { tag, client: from, seq: m.seq, value };
    this.host.disk.fsync(FILE, tag);
  }

  private commit(value: number): void {
    this.applied(value);
    for (const peer of this.host.peers()) if (peer !== this.host.id) this.host.send(peer, { type: 'reg.replicate', value });
  }

  private applied(value: number): void {
    this.value = value;
    this.host.log('reg.apply', { value, primary: this.isPrimary() });
  }

  private reply(to: NodeId, reply: RegReply): void {
    this.host.send(to, reply);
  }

  onTimer(): void {}

  onFsync(tag: string | number, ok: boolean): void {
    const waiting = this.pending;
    if (waiting === null || waiting.tag !== tag) return;
    this.pending = null;
    // A failed fsync leaves the write unknown (it may still reach the disk): no answer, so the
    // client records `info`, the honest outcome.
    if (!ok) return;
    this.commit(waiting.value);
    this.reply(waiting.client, { type: 'reg.reply', seq: waiting.seq, ok: true, value: waiting.value });
  }
}

/** One client: one op at a time to the primary, a timeout records `info` and starts a new process. */
class RegisterClient implements Process {
  private seq = 0;
  private outstanding: { seq: number; f: 'read' | 'write'; value: number | null; timer: number } | null = null;
  private process: number;
  private generation = 0;
  private invoked = 0;
  private finished = false;

  constructor(
    private readonly host: ClientHost,
    private readonly params: WorkloadParams,
    private readonly index: number,
    private readonly opsMax: number,
  ) {
    this.process = index;
  }

  start(): void {
    this.schedule();
  }

  private schedule(): void {
    const meanGapNs = Math.max(1, Math.round((1e9 * this.params.clients) / this.params.opsPerSecond));
    this.host.setTimer(this.host.random.range(1, 2 * meanGapNs), 'next');
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.host.done();
  }

  onTimer(tag: string | number): void {
    if (tag === 'next') {
      if (this.invoked >= this.opsMax || this.host.monotonicNow() >= this.params.stopInvokingAtNs) {
        this.finish();
        return;
      }
      this.invoke();
      return;
    }
    if (this.outstanding !== null && tag === `timeout:${this.outstanding.seq}`) {
      const op = this.outstanding;
      this.outstanding = null;
      this.host.record({ process: this.process, type: 'info', f: op.f, value: op.value });
      // Jepsen's rule: a process whose op is unknown never invokes again.
      this.generation++;
      this.process = this.index + this.params.clients * this.generation;
      this.schedule();
    }
  }

  private invoke(): void {
    this.invoked++;
    const seq = ++this.seq;
    const write = this.host.random.chance(1, 2);
    const value = write ? this.host.random.range(1, 20) : null;
    const f = write ? 'write' : 'read';
    this.host.record({ process: this.process, type: 'invoke', f, value });
    const timer = this.host.setTimer(this.params.timeoutNs, `timeout:${seq}`);
    this.outstanding = { seq, f, value, timer };
    this.host.send(this.params.nodes[0]!, { type: 'reg.request', seq, f, value } satisfies RegRequest);
  }

  onMessage(_from: NodeId, message: Message): void {
    const reply = message as RegReply;
    if (reply.type !== 'reg.reply' || this.outstanding === null || reply.seq !== this.outstanding.seq) return;
    const op = this.outstanding;
    this.outstanding = null;
    this.host.cancelTimer(op.timer);
    this.host.record({ process: this.process, type: reply.ok ? 'ok' : 'fail', f: op.f, value: op.f === 'read' ? reply.value : op.value });
    this.schedule();
  }

  onFsync(): void {}
}

const registerWorkload: Workload = {
  name: 'register',
  description: 'reads and writes of one register, one op at a time per client',
  client(params: WorkloadParams, index: number): ProcessFactory<ClientHost> {
    // Split the op budget so the clients together invoke at most opsMax.
    const share = Math.floor(params.opsMax / params.clients) + (index < params.opsMax % params.clients ? 1 : 0);
    return (host) => new RegisterClient(host, params, index, share);
  },
  check(history: History, context: CheckContext): CheckerResult[] {
    const results: CheckerResult[] = [checkRegister(history)];
    // Liveness: after the heal, some op must complete ok.
    const healed = context.healedAtNs ?? 0;
    const progressed = history.some((record) => record.type === 'ok' && (record.time ?? 0) >= healed);
    const hadOps = history.some((record) => record.type === 'invoke' && (record.time ?? 0) >= healed);
    results.push({
      checker: 'liveness',
      property: 'progress',
      verdict: progressed || !hadOps ? 'valid' : 'invalid',
      summary: progressed || !hadOps ? 'an op completed after the heal' : 'no op completed after the heal',
    });
    return results;
  },
};

/** Sees `reg.apply` traces: a backup must only ever hold values the primary applied. */
class RegisterMonitor implements InvariantMonitor {
  private readonly primaryValues = new Set<number>();
  private violation: string | null = null;

  onTrace(event: TraceEvent): void {
    if (event.kind !== 'reg.apply' || this.violation !== null) return;
    const value = event.fields?.value as number;
    if (event.fields?.primary === true) this.primaryValues.add(value);
    else if (!this.primaryValues.has(value)) this.violation = `${event.node} applied ${value}, which the primary never held (at ${Math.round(event.time / NS_PER_MS)} ms)`;
  }

  result(): CheckerResult {
    return this.violation === null
      ? { checker: 'invariants', verdict: 'valid', summary: 'backups held only primary values' }
      : { checker: 'invariants', verdict: 'invalid', summary: this.violation };
  }
}

export const registerSystem: SystemPlugin = {
  name: 'test-register',
  description: 'a single register, primary/backup (tests only)',
  node: (host) => new RegisterNode(host),
  nodes: { default: 3, min: 1, max: 5 },
  workloads: { register: registerWorkload },
  defaultWorkload: 'register',
  bugs: [
    { name: 'test.ack-before-fsync', description: 'acknowledges a write before it is durable' },
    { name: 'test.backup-garbage', description: 'a backup applies a value the primary never had' },
    { name: 'test.throw-on-13', description: 'the primary throws on a write of 13' },
  ],
  params: { electionTimeoutMsMax: 0 },
  invariants: () => new RegisterMonitor(),
  // Its own words for targets: the primary (the lowest id up) and the first backup.
  targets: {
    names: ['primary', 'backup'],
    pick: (name, view, live) => live.find((id) => view.status(id).part === name) ?? null,
  },
};
