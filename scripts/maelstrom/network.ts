// The lab's network for Maelstrom nodes, in real time: every envelope a node, client or service
// sends goes through `send`, which applies the state the nemesis set (partition cuts, isolation,
// clogs and link faults, as scripts/cluster/link-rules.ts means them) and the base latency, then
// delivers it on a real timer. Partitions cut links between nodes; an isolated node loses its
// clients and the services too. Random choices (loss, duplication, latency) come from the seed.
import type { Random } from '../../nodes/host.js';
import { NO_LINK_FAULTS, type LinkFaults } from '../../faults/world-port.js';
import { ERROR, type Envelope, type MaelstromId } from '../../workloads/maelstrom/protocol.js';
import { type NetworkState, linkKey } from '../cluster/link-rules.js';

/** Envelopes held by clogged links at once; beyond it they are dropped and counted. */
export const HELD_MAX = 100_000;
/** Envelopes in flight at once; a node that floods the network is said, not buffered without end. */
export const IN_FLIGHT_MAX = 200_000;

export interface NetworkStats {
  /** Envelopes between server nodes (Maelstrom's msgs-per-op counts these). */
  serverMessages: number;
  /** Envelopes to or from clients and services. */
  otherMessages: number;
  droppedByPartition: number;
  droppedByLoss: number;
  droppedOverflow: number;
  duplicated: number;
  unknownDestination: number;
}

export interface NetworkOptions {
  nodes: readonly MaelstromId[];
  random: Random;
  /** Latency every envelope gets, in ms (Maelstrom's --latency). */
  latencyMs: number;
  /** Where an envelope for `dest` goes; false when nobody has that id. */
  deliver(envelope: Envelope): boolean;
}

export class MaelstromNetwork {
  readonly stats: NetworkStats = { serverMessages: 0, otherMessages: 0, droppedByPartition: 0, droppedByLoss: 0, droppedOverflow: 0, duplicated: 0, unknownDestination: 0 };
  private state: NetworkState = { cuts: new Set(), isolated: new Set(), clogs: new Set(), faults: NO_LINK_FAULTS };
  private readonly nodes: ReadonlySet<MaelstromId>;
  private readonly held = new Map<string, Envelope[]>();
  private heldCount = 0;
  private inFlight = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly options: NetworkOptions) {
    this.nodes = new Set(options.nodes);
  }

  setState(state: NetworkState): void {
    this.state = state;
    // Links no longer clogged let go of what they held, in order.
    for (const [key, envelopes] of this.held) {
      if (state.clogs.has(key)) continue;
      this.held.delete(key);
      this.heldCount -= envelopes.length;
      for (const envelope of envelopes) this.transmit(envelope);
    }
  }

  get faults(): LinkFaults {
    return this.state.faults;
  }

  send(envelope: Envelope): void {
    if (this.stopped) return;
    const { src, dest } = envelope;
    const between = this.nodes.has(src) && this.nodes.has(dest);
    if (between) this.stats.serverMessages += 1;
    else this.stats.otherMessages += 1;
    if (this.isCut(src, dest)) {
      this.stats.droppedByPartition += 1;
      return;
    }
    if (between && this.state.clogs.has(linkKey(src, dest))) {
      if (this.heldCount >= HELD_MAX) {
        this.stats.droppedOverflow += 1;
        return;
      }
      const key = linkKey(src, dest);
      const list = this.held.get(key) ?? [];
      list.push(envelope);
      this.held.set(key, list);
      this.heldCount += 1;
      return;
    }
    this.transmit(envelope);
  }

  /** Cancels every delivery still in flight. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private isCut(src: MaelstromId, dest: MaelstromId): boolean {
    if (this.state.isolated.has(src) || this.state.isolated.has(dest)) return src !== dest;
    return this.state.cuts.has(linkKey(src, dest));
  }

  private transmit(envelope: Envelope): void {
    const { random } = this.options;
    const faults = this.state.faults;
    if (faults.dropNum > 0 && random.int(faults.den) < faults.dropNum) {
      this.stats.droppedByLoss += 1;
      return;
    }
    const copies = faults.dupNum > 0 && random.int(faults.den) < faults.dupNum ? 2 : 1;
    if (copies === 2) this.stats.duplicated += 1;
    for (let copy = 0; copy < copies; copy += 1) {
      let delayMs = this.options.latencyMs;
      if (faults.delayNsMax > 0) delayMs += random.range(Math.floor(faults.delayNsMin / 1e6), Math.floor(faults.delayNsMax / 1e6));
      if (faults.reorderNum > 0 && random.int(faults.den) < faults.reorderNum) delayMs += random.range(0, Math.ceil(faults.reorderDelayNsMax / 1e6));
      this.later(delayMs, envelope);
    }
  }

  private later(delayMs: number, envelope: Envelope): void {
    if (this.inFlight >= IN_FLIGHT_MAX) {
      this.stats.droppedOverflow += 1;
      return;
    }
    this.inFlight += 1;
    const arrive = (): void => {
      this.inFlight -= 1;
      if (this.stopped) return;
      if (!this.options.deliver(envelope)) this.undeliverable(envelope);
    };
    if (delayMs <= 0) {
      setImmediate(arrive);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      arrive();
    }, delayMs);
    this.timers.add(timer);
  }

  /** To an id nobody has: Maelstrom's node-not-found back to the sender of a request. */
  private undeliverable(envelope: Envelope): void {
    this.stats.unknownDestination += 1;
    const { body } = envelope;
    if (body.msg_id === undefined || body.type === 'error' || body.in_reply_to !== undefined) return;
    this.options.deliver({
      src: envelope.dest,
      dest: envelope.src,
      body: { type: 'error', in_reply_to: body.msg_id, code: ERROR.NODE_NOT_FOUND, text: `no node ${envelope.dest} in this test` },
    });
  }
}
