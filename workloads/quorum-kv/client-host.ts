// The client side of a quorum-kv request, as a wrapper around an ordinary KV client process: the
// shared workloads' clients (lin-kv, set) and their KvCaller run unchanged, and the wrapper
//
// - stamps every `kv.request` it sends with the request options of its op (reads and writes may
//   differ, as a final read wants R = all while writes take W = 2);
// - refuses to resend a write whose earlier attempt is still of unknown fate. In ABD a write that
//   was only slow can still land after its retry has returned, after a later write: an effect
//   after the op's completion, which no history can explain. Retrying only after a certain answer
//   ("unavailable", nothing done) keeps every effect inside its op. The dropped resend looks to the
//   caller like a lost message, so the op ends `info`, which is what it is;
// - keeps the extra fields of the `ok` reply (siblings, causal context, replicas) for its owner.
import type { ClientHost, Message, NodeId, Process, ProcessFactory, TimerTag } from '../../nodes/host.js';
import type { CausalContext, KvReply, RequestOptions } from '../../nodes/quorum-kv/index.js';

export interface RequestStamp {
  read: RequestOptions;
  write: RequestOptions;
  /**
   * Carry a session token: per key, the largest tag this client has seen in an `ok` reply, sent
   * with each write (as a context that has seen no versions, only that tag) so the write's tag is
   * larger. It gives last-writer-wins read-your-writes and monotonic writes within the session.
   */
  session?: boolean;
}

/** The extras of the last `ok` reply to the op in flight. */
export interface ReplyExtras {
  siblings: number[] | null;
  context: CausalContext | null;
  replicas: NodeId[] | null;
}

export class QuorumClientHost {
  /** The context the next write should carry (set by a workload that follows its reads). */
  writeContext: CausalContext | null = null;
  /** The options reads carry; a workload may change them between ops (final reads with R = all). */
  readOptions: RequestOptions;
  private lastSeq = -1;
  private lastKey: string | null = null;
  /** The session token per key; at most one entry per key the client touches. */
  private readonly sessionTags = new Map<string, number>();
  /** Nodes holding an attempt of the current seq whose fate is unknown (sent, no refusal yet). */
  private readonly uncertain = new Set<NodeId>();
  private extras: ReplyExtras = { siblings: null, context: null, replicas: null };
  readonly host: ClientHost;

  constructor(
    inner: ClientHost,
    private readonly stamp: RequestStamp,
  ) {
    this.readOptions = stamp.read;
    // A ClientHost whose `send` goes through `this.send`; every other member is the inner host's.
    this.host = Object.create(inner, { send: { value: (to: NodeId, message: Message) => this.send(inner, to, message) } }) as ClientHost;
  }

  /** The extras of the latest `ok` reply, for the op that just completed. */
  lastExtras(): ReplyExtras {
    return this.extras;
  }

  private send(inner: ClientHost, to: NodeId, message: Message): void {
    const request = message as { type?: string; seq?: number; op?: { f?: string; key?: string } };
    if (request.type !== 'kv.request' || typeof request.seq !== 'number') {
      inner.send(to, message);
      return;
    }
    const isWrite = request.op?.f !== 'read';
    if (request.seq !== this.lastSeq) {
      this.lastSeq = request.seq;
      this.lastKey = request.op?.key ?? null;
      this.uncertain.clear();
      this.extras = { siblings: null, context: null, replicas: null };
    } else if (isWrite && this.uncertain.size > 0) {
      return;
    }
    this.uncertain.add(to);
    const options = isWrite ? this.stamp.write : this.readOptions;
    const q = isWrite ? this.withContext(options) : options;
    inner.send(to, { ...request, q });
  }

  private withContext(options: RequestOptions): RequestOptions {
    if (this.writeContext !== null) return { ...options, context: this.writeContext };
    const tag = this.stamp.session === true && this.lastKey !== null ? this.sessionTags.get(this.lastKey) : undefined;
    return tag === undefined ? options : { ...options, context: { vv: {}, tag } };
  }

  /** Sees every message before the client does. */
  observe(from: NodeId, message: Message): void {
    const reply = message as Partial<KvReply>;
    if (reply.type !== 'kv.reply' || reply.seq !== this.lastSeq) return;
    if (reply.outcome === 'ok') {
      this.extras = { siblings: reply.siblings ?? null, context: reply.context ?? null, replicas: reply.replicas ?? null };
      if (this.stamp.session === true && this.lastKey !== null && typeof reply.tag === 'number') {
        this.sessionTags.set(this.lastKey, Math.max(this.sessionTags.get(this.lastKey) ?? 0, reply.tag));
      }
    } else {
      // A refusal is certain: the attempt at that node did nothing, so one more may be sent.
      this.uncertain.delete(from);
    }
  }
}

/** Wraps a client factory so its requests carry `stamp` and its writes are never blindly resent. */
export function stamped(factory: ProcessFactory<ClientHost>, stamp: RequestStamp): ProcessFactory<ClientHost> {
  return (host) => {
    const wrapper = new QuorumClientHost(host, stamp);
    const inner = factory(wrapper.host);
    return observing(inner, wrapper);
  };
}

export function observing(inner: Process, wrapper: QuorumClientHost): Process {
  return {
    start: () => inner.start(),
    onMessage: (from: NodeId, message: Message) => {
      wrapper.observe(from, message);
      inner.onMessage(from, message);
    },
    onTimer: (tag: TimerTag) => inner.onTimer(tag),
    onFsync: (tag: TimerTag, ok: boolean) => inner.onFsync(tag, ok),
  };
}
