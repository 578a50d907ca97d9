// A replicated counter, written the way a Crucible user writes their own system: against the
// public API only (`crucible`), never against the lab's internal files.
//
// The primary (the lowest node id) owns the count. A client's `add` is a request with a sequence
// number; the primary appends it to its log with a checksum, fsyncs, tells the backups, and answers
// once the fsync completes, so an acknowledged add survives a crash. A client that hears nothing
// resends the same request (same seq) until its op times out; the primary remembers each client's
// highest seq (in the log too) so a resent or duplicated request is counted once. Backups keep a
// copy and answer reads only with a redirect: there is no failover, which keeps the example short.
//
// Planted bug `counter.count-retries`: the primary forgets the de-duplication, so a retried add
// (or one the network duplicated) is counted twice and a later read sees too much.
import { check, checkLiveness, NS_PER_MS, opsShare, spreadGapNs, type CheckerResult, type ClientHost, type History, type Host, type Message, type NodeId, type Process, type SystemPlugin, type Workload, type WorkloadParams } from 'crucible';

type AddRequest = { type: 'counter.add'; seq: number; amount: number };
type ReadRequest = { type: 'counter.read'; seq: number };
type Reply = { type: 'counter.reply'; seq: number; ok: boolean; value: number | null };
type Replicate = { type: 'counter.replicate'; value: number };

const LOG = 'counter.log';
/** A corrupted read of the log is tried again after this long. */
const REREAD_NS = 100 * NS_PER_MS;
/** A failed fsync is tried again after this long. */
const FSYNC_RETRY_NS = 50 * NS_PER_MS;
/** Resends of one op at most (its timeout ends it sooner). */
const ATTEMPTS_MAX = 8;

/** A log record `client:seq:amount:check`; the check drops a torn tail after a crash. */
function checksum(client: string, seq: number, amount: number): number {
  let hash = Math.imul(seq ^ 0x9e3779b1, 0x85ebca6b) ^ amount;
  for (let index = 0; index < client.length; index++) hash = Math.imul(hash ^ client.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

class CounterNode implements Process {
  private value = 0;
  /** Each client's highest request seq counted, so a resent request is counted once. */
  private lastSeq = new Map<NodeId, number>();
  /** Adds written but not yet fsynced, in order, by fsync tag. */
  private readonly waiting = new Map<number, { client: NodeId; seq: number; amount: number }>();
  /** Adds whose fsync failed, waiting for the timer that tries it again. */
  private readonly retrying = new Map<string, { client: NodeId; seq: number; amount: number }>();
  private nextTag = 1;
  /** The last read of the log was corrupted: nothing is served until a clean read. */
  private corrupt = false;

  constructor(private readonly host: Host) {}

  private primary(): boolean {
    return this.host.peers()[0] === this.host.id;
  }

  start(): void {
    this.waiting.clear();
    this.retrying.clear();
    this.load();
  }

  /**
   * Reads the log back. The last line without its newline is a torn tail (a crash cut the write,
   * which was never acknowledged): dropped. A whole line with a bad check is a corrupted read, not
   * data to drop (it may hold an acknowledged add): the node serves nothing and reads again soon.
   */
  private load(): void {
    this.value = 0;
    this.lastSeq = new Map();
    this.corrupt = false;
    const bytes = this.host.disk.read(LOG);
    if (bytes === null) return;
    const lines = new TextDecoder().decode(bytes).split('\n');
    lines.pop();
    for (const line of lines) {
      const [client, seqText, amountText, sum] = line.split(':');
      const seq = Number(seqText);
      const amount = Number(amountText);
      if (client === undefined || !Number.isSafeInteger(seq) || !Number.isSafeInteger(amount) || Number(sum) !== checksum(client, seq, amount)) {
        this.corrupt = true;
        this.host.setTimer(REREAD_NS, 'reread');
        return;
      }
      this.value += amount;
      this.lastSeq.set(client, Math.max(seq, this.lastSeq.get(client) ?? 0));
    }
  }

  status() {
    return this.corrupt ? { part: 'recovering', down: 'the log read back corrupted; reading again' } : { part: this.primary() ? 'primary' : 'backup', value: this.value };
  }

  onMessage(from: NodeId, message: Message): void {
    const m = message as AddRequest | ReadRequest | Replicate;
    if (m.type === 'counter.replicate') {
      this.value = m.value;
      return;
    }
    if (m.type !== 'counter.add' && m.type !== 'counter.read') return;
    if (!this.primary() || this.corrupt) {
      this.host.send(from, { type: 'counter.reply', seq: m.seq, ok: false, value: null } satisfies Reply);
      return;
    }
    if (m.type === 'counter.read') {
      this.host.send(from, { type: 'counter.reply', seq: m.seq, ok: true, value: this.value } satisfies Reply);
      return;
    }
    const seen = this.lastSeq.get(from) ?? 0;
    if (m.seq <= seen && !this.host.bug('counter.count-retries')) {
      // Counted already: answer again once it is durable (it is, unless its fsync is still out).
      if ([...this.waiting.values(), ...this.retrying.values()].every((add) => add.client !== from || add.seq !== m.seq)) {
        this.host.send(from, { type: 'counter.reply', seq: m.seq, ok: true, value: null } satisfies Reply);
      }
      return;
    }
    this.lastSeq.set(from, Math.max(seen, m.seq));
    this.host.disk.append(LOG, new TextEncoder().encode(`${from}:${m.seq}:${m.amount}:${checksum(from, m.seq, m.amount)}\n`));
    const tag = this.nextTag++;
    this.waiting.set(tag, { client: from, seq: m.seq, amount: m.amount });
    this.host.disk.fsync(LOG, tag);
  }

  onTimer(tag: string | number): void {
    if (tag === 'reread') {
      if (this.corrupt) this.load();
      return;
    }
    const add = this.retrying.get(tag as string);
    if (add === undefined) return;
    this.retrying.delete(tag as string);
    const next = this.nextTag++;
    this.waiting.set(next, add);
    this.host.disk.fsync(LOG, next);
  }

  onFsync(tag: string | number, ok: boolean): void {
    const add = this.waiting.get(tag as number);
    if (add === undefined) return;
    this.waiting.delete(tag as number);
    // A failed fsync leaves the add unknown: it stays uncounted and unanswered, and the fsync is
    // tried again shortly; only a successful one makes it durable, counted and acknowledged.
    if (!ok) {
      this.retrying.set(`refsync:${tag}`, add);
      this.host.setTimer(FSYNC_RETRY_NS, `refsync:${tag}`);
      return;
    }
    // Counted only once durable: a read must never see an add a crash could still take back.
    this.value += add.amount;
    for (const peer of this.host.peers()) if (peer !== this.host.id) this.host.send(peer, { type: 'counter.replicate', value: this.value } satisfies Replicate);
    this.host.send(add.client, { type: 'counter.reply', seq: add.seq, ok: true, value: null } satisfies Reply);
  }
}

/** One op at a time; resends the same request until an answer or the op's timeout (`info`). */
class CounterClient implements Process {
  private seq = 0;
  private op: { seq: number; f: 'add' | 'read'; amount: number; attempts: number; deadline: number } | null = null;
  private process: number;
  private generation = 0;
  private invoked = 0;

  constructor(
    private readonly host: ClientHost,
    private readonly params: WorkloadParams,
    private readonly index: number,
    private readonly share: number,
  ) {
    this.process = index;
  }

  start(): void {
    this.next();
  }

  private next(): void {
    // The op budget spread over the whole run, so ops are still in flight when the faults heal and
    // the liveness checker looks for progress.
    const gapNs = spreadGapNs(this.params.opsPerSecond, this.params.clients, this.share, this.params.stopInvokingAtNs);
    this.host.setTimer(this.host.random.range(1, 2 * gapNs), 'next');
  }

  private send(): void {
    const op = this.op!;
    op.attempts++;
    const request: AddRequest | ReadRequest = op.f === 'add' ? { type: 'counter.add', seq: op.seq, amount: op.amount } : { type: 'counter.read', seq: op.seq };
    this.host.send(this.params.nodes[0]!, request);
    this.host.setTimer(Math.max(1, Math.floor(this.params.timeoutNs / 4)), `attempt:${op.seq}`);
  }

  onTimer(tag: string | number): void {
    if (tag === 'next') {
      if (this.invoked >= this.share || this.host.monotonicNow() >= this.params.stopInvokingAtNs) {
        this.host.done();
        return;
      }
      this.invoked++;
      const add = this.host.random.chance(1, 2);
      this.op = { seq: ++this.seq, f: add ? 'add' : 'read', amount: add ? this.host.random.range(1, 5) : 0, attempts: 0, deadline: this.host.monotonicNow() + this.params.timeoutNs };
      this.host.record({ process: this.process, type: 'invoke', f: this.op.f, value: add ? this.op.amount : null });
      this.send();
      return;
    }
    const op = this.op;
    if (op === null || tag !== `attempt:${op.seq}`) return;
    if (this.host.monotonicNow() < op.deadline && op.attempts < ATTEMPTS_MAX) {
      this.send();
      return;
    }
    this.op = null;
    this.host.record({ process: this.process, type: 'info', f: op.f, value: op.f === 'add' ? op.amount : null });
    // Jepsen's rule: a process whose op is unknown never invokes again; a new one takes over.
    this.process = this.index + this.params.clients * ++this.generation;
    this.next();
  }

  onMessage(_from: NodeId, message: Message): void {
    const reply = message as Reply;
    const op = this.op;
    if (reply.type !== 'counter.reply' || op === null || reply.seq !== op.seq) return;
    // A refusal from a backup proves nothing about an earlier attempt: keep trying until the deadline.
    if (!reply.ok) return;
    this.op = null;
    this.host.record({ process: this.process, type: 'ok', f: op.f, value: op.f === 'add' ? op.amount : reply.value });
    this.next();
  }

  onFsync(): void {}
}

const counterWorkload: Workload = {
  name: 'counter',
  description: 'adds of 1..5 and reads of one counter, one op at a time per client',
  client(params, index) {
    return (host) => new CounterClient(host, params, index, opsShare(params.opsMax, params.clients, index));
  },
  check(history: History, context): CheckerResult[] {
    return [
      // The library's linearizability checker with its counter model: every read is the sum of
      // the adds before it, some order of the concurrent ones and the unknown ones included.
      check(history, 'counter'),
      checkLiveness(history, { healedAtNs: context.healedAtNs, endNs: context.endNs, boundNs: 2_000 * NS_PER_MS }),
    ];
  },
};

export const system: SystemPlugin = {
  name: 'counter',
  description: 'a primary/backup replicated counter (the example project)',
  node: (host) => new CounterNode(host),
  nodes: { default: 3, min: 1, max: 5 },
  workloads: { counter: counterWorkload },
  defaultWorkload: 'counter',
  bugs: [{ name: 'counter.count-retries', description: 'the primary counts a resent add again (no de-duplication)' }],
  params: {},
  targets: {
    names: ['primary', 'backup'],
    pick: (name, view, live) => live.find((id) => view.status(id).part === name) ?? null,
  },
};
