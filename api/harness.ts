// An interaction-test harness for any node (etcd raft's style, lifted from nodes/raft/testing): real
// node objects on hand-driven hosts. Nothing happens unless a command says so: messages wait in a
// queue until delivered, fsyncs until completed, timers until virtual time is advanced past them.
// Scripts hold commands and their expected output; `runScript` gives the same text with the actual
// output in place, so a test compares the two and a rewrite (CRUCIBLE_REWRITE=1) updates the file.
// The in-memory disk and the seeded random stream are the ones Raft's own scripts use.
import type { Host, Message, NodeId, Process, ProcessFactory, TimerId, TimerTag, TraceFields } from '../nodes/host.js';
import { NS_PER_MS } from '../nodes/host.js';
import { MemoryDisk } from '../nodes/raft/testing/memory-disk.js';
import { compareIds, hashId, ScriptRandom } from '../nodes/raft/testing/cluster.js';
import { parseScript } from '../nodes/raft/testing/script.js';

export interface HarnessOptions {
  /** The node under test, the same factory a SystemPlugin's `node` is. */
  node: ProcessFactory<Host>;
  /** The cluster's node ids (started with `start`). */
  nodes: readonly NodeId[];
  /** Planted bugs switched on. */
  bugs?: readonly string[];
  /** How a message is printed (default: its JSON). */
  format?: (message: Message) => string;
  /** Seeds each node's random stream (default 1). */
  seed?: number;
}

/** Messages one `stabilize` delivers at most: a node that never goes quiet is said, not looped on. */
export const STABILIZE_MESSAGES_MAX = 10_000;
/** Timers one `advance` fires at most. */
const TIMERS_FIRED_MAX = 10_000;

interface Member {
  id: NodeId;
  disk: MemoryDisk;
  node: Process | null;
  incarnation: number;
  /** Pending timers of the running incarnation, in the order they were set. */
  timers: { id: TimerId; tag: TimerTag; dueNs: number }[];
  startedNs: number;
}

interface Queued {
  from: NodeId;
  to: NodeId;
  message: Message;
}

export class Harness {
  private readonly members = new Map<NodeId, Member>();
  private queue: Queued[] = [];
  private readonly blocked = new Set<string>();
  private nowNs = 0;
  private nextTimer = 1;
  /** Output lines of the command being run. */
  out: string[] = [];

  constructor(private readonly options: HarnessOptions) {
    if (options.nodes.length === 0) throw new RangeError('Harness: nodes must name at least one node');
    for (const id of options.nodes) this.members.set(id, { id, disk: new MemoryDisk(), node: null, incarnation: 0, timers: [], startedNs: 0 });
  }

  private show(message: Message): string {
    return this.options.format?.(message) ?? JSON.stringify(message);
  }

  private member(id: NodeId): Member {
    const member = this.members.get(id);
    if (member === undefined) throw new Error(`no node ${id} (nodes: ${[...this.members.keys()].join(', ')})`);
    return member;
  }

  /** The running node object, for a test that inspects it. */
  node(id: NodeId): Process {
    const node = this.member(id).node;
    if (node === null) throw new Error(`node ${id} is not running`);
    return node;
  }

  start(id: NodeId): void {
    const member = this.member(id);
    if (member.node !== null) throw new Error(`node ${id} is running`);
    member.incarnation++;
    member.timers = [];
    member.startedNs = this.nowNs;
    member.node = this.options.node(this.hostFor(member));
    member.node.start();
  }

  /** Stops the node; unsynced writes are lost (or the last `tearBytes` of them kept, torn). */
  crash(id: NodeId, tearBytes = 0): void {
    const member = this.member(id);
    if (member.node === null) throw new Error(`node ${id} is not running`);
    member.node = null;
    member.timers = [];
    member.disk.crash(tearBytes, false);
    this.queue = this.queue.filter((queued) => queued.to !== id);
  }

  /** Cuts every link between the groups (nodes and clients alike); `heal` restores them. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    this.blocked.clear();
    for (const a of groups) for (const b of groups) if (a !== b) for (const x of a) for (const y of b) this.blocked.add(`${x}>${y}`);
  }

  heal(): void {
    this.blocked.clear();
  }

  /** A message from a client (any id that is not a node) handed to `to` at once. */
  request(client: string, to: NodeId, message: Message): void {
    this.out.push(`${client}->${to} ${this.show(message)}`);
    if (this.blocked.has(`${client}>${to}`)) {
      this.out.push('  (dropped: partition)');
      return;
    }
    const member = this.member(to);
    if (member.node === null) this.out.push(`  (dropped: ${to} is down)`);
    else member.node.onMessage(client, message);
  }

  /** Delivers the messages queued now (to the given recipients, or all); replies they cause wait. */
  deliver(to: readonly NodeId[] | null = null): number {
    const picked = this.queue.filter((queued) => to === null || to.includes(queued.to));
    this.queue = this.queue.filter((queued) => !(to === null || to.includes(queued.to)));
    for (const queued of picked) {
      const line = `${queued.from}->${queued.to} ${this.show(queued.message)}`;
      if (this.blocked.has(`${queued.from}>${queued.to}`)) {
        this.out.push(`${line}  (dropped: partition)`);
        continue;
      }
      const member = this.members.get(queued.to);
      if (member === undefined) this.out.push(line);
      else if (member.node === null) this.out.push(`${line}  (dropped: ${queued.to} is down)`);
      else {
        this.out.push(line);
        member.node.onMessage(queued.from, queued.message);
      }
    }
    return picked.length;
  }

  /** Completes (or fails) the pending fsyncs of the given nodes, and any their handlers start. */
  fsyncs(ids: readonly NodeId[], ok = true): number {
    let count = 0;
    for (const id of ids) {
      const member = this.member(id);
      for (let round = 0; round < 16 && member.disk.pending.length > 0; round++) {
        for (const fsync of ok ? member.disk.completeFsyncs() : member.disk.failFsyncs()) {
          count++;
          this.out.push(`${id}: fsync ${fsync.name} #${String(fsync.tag)} ${ok ? 'ok' : 'FAILED'}`);
          member.node?.onFsync(fsync.tag, ok);
        }
        if (!ok) break;
      }
    }
    return count;
  }

  /** Moves virtual time on by `ms`, firing every timer that falls due, in time order. */
  advance(ms: number): number {
    const endNs = this.nowNs + Math.round(ms * NS_PER_MS);
    let fired = 0;
    for (; fired < TIMERS_FIRED_MAX; fired++) {
      let next: { member: Member; index: number } | null = null;
      for (const member of this.members.values()) {
        member.timers.forEach((timer, index) => {
          if (timer.dueNs > endNs) return;
          if (next === null || timer.dueNs < next.member.timers[next.index]!.dueNs) next = { member, index };
        });
      }
      if (next === null) break;
      const { member, index } = next as { member: Member; index: number };
      const [timer] = member.timers.splice(index, 1);
      this.nowNs = Math.max(this.nowNs, timer!.dueNs);
      this.out.push(`${member.id}: timer ${String(timer!.tag)}`);
      member.node?.onTimer(timer!.tag);
    }
    this.nowNs = endNs;
    return fired;
  }

  /** Delivers messages and completes fsyncs until nothing is left to do (bounded; says so if not). */
  stabilize(): void {
    let delivered = 0;
    while (this.queue.length > 0 || this.pendingFsyncs() > 0) {
      if (delivered > STABILIZE_MESSAGES_MAX) {
        this.out.push(`stabilize: still busy after ${STABILIZE_MESSAGES_MAX} messages (a message storm?)`);
        return;
      }
      this.fsyncs([...this.members.keys()], true);
      delivered += this.deliver(null);
    }
  }

  pendingFsyncs(): number {
    let count = 0;
    for (const member of this.members.values()) count += member.disk.pending.length;
    return count;
  }

  /** Each node's status (or `down`), one line each. */
  status(): string[] {
    return [...this.members.values()]
      .sort((a, b) => compareIds(a.id, b.id))
      .map((member) => `${member.id}: ${member.node === null ? 'stopped' : JSON.stringify(member.node.status?.() ?? {})}`);
  }

  /** Runs one script command; returns its output (`ok` when it printed nothing). */
  run(command: string): string {
    this.out = [];
    const [name, ...args] = command.trim().split(/\s+/);
    const ids = (text: string | undefined) => (text === undefined ? null : text.split(','));
    switch (name) {
      case 'start':
        for (const id of ids(args[0]) ?? [...this.members.keys()]) this.start(id);
        break;
      case 'crash':
        this.crash(args[0]!, Number(/^tear=(\d+)$/.exec(args[1] ?? '')?.[1] ?? 0));
        break;
      case 'deliver':
        this.deliver(ids(args[0]));
        break;
      case 'fsyncs':
        this.fsyncs(ids(args[0]) ?? [...this.members.keys()], args[1] !== 'fail');
        break;
      case 'advance':
        this.advance(Number(args[0]));
        break;
      case 'partition':
        this.partition(args.map((group) => group.split(',')));
        break;
      case 'heal':
        this.heal();
        break;
      case 'request': {
        const json = command.trim().split(/\s+/).slice(3).join(' ');
        this.request(args[0]!, args[1]!, JSON.parse(json) as Message);
        break;
      }
      case 'stabilize':
        this.stabilize();
        break;
      case 'status':
        this.out.push(...this.status());
        break;
      default:
        throw new Error(`unknown command "${name}" (start, crash, deliver, fsyncs, advance, partition, heal, request, stabilize, status)`);
    }
    return this.out.length === 0 ? 'ok' : this.out.join('\n');
  }

  private hostFor(member: Member): Host {
    const harness = this;
    const incarnation = member.incarnation;
    const alive = () => member.node !== null && member.incarnation === incarnation;
    const random = new ScriptRandom(hashId(member.id) + incarnation * 7777 + (this.options.seed ?? 1) * 104729);
    return {
      id: member.id,
      peers: () => [...harness.members.keys()].sort(compareIds),
      founding: () => (incarnation === 1 ? [...harness.members.keys()].sort(compareIds) : []),
      wallNow: () => harness.nowNs,
      monotonicNow: () => harness.nowNs - member.startedNs,
      send(to, message) {
        if (alive()) harness.queue.push({ from: member.id, to, message });
      },
      setTimer(delay, tag) {
        const id = harness.nextTimer++;
        if (alive()) member.timers.push({ id, tag, dueNs: harness.nowNs + delay });
        return id;
      },
      cancelTimer(id) {
        member.timers = member.timers.filter((timer) => timer.id !== id);
      },
      disk: member.disk,
      random,
      log(kind: string, fields?: TraceFields) {
        const rest = fields === undefined ? '' : Object.entries(fields).filter(([, value]) => value !== undefined).map(([field, value]) => ` ${field}=${String(value)}`).join('');
        harness.out.push(`${member.id}: ${kind}${rest}`);
      },
      faultPoint: () => false,
      bug: (name) => harness.options.bugs?.includes(name) ?? false,
    };
  }
}

/**
 * Runs a script (`command`, `----`, expected output, blank line; `#` comments) on a fresh harness;
 * returns the script with the actual outputs in place.
 */
export function runScript(text: string, options: HarnessOptions): string {
  const harness = new Harness(options);
  const parts: string[] = [];
  for (const block of parseScript(text)) {
    let output: string;
    try {
      output = harness.run(block.command);
    } catch (error) {
      output = `error: ${error instanceof Error ? error.message : String(error)}`;
    }
    parts.push([...block.comments, block.command, '----', output].join('\n'));
  }
  return `${parts.join('\n\n')}\n`;
}
