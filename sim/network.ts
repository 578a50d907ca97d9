// The simulated network: every endpoint (server, client, external sender) has an index, and every
// directed link has a latency distribution, loss, duplication and reordering odds, and a clog time.
// `route` decides a message's fate when it is sent: dropped (and why) or the true time it arrives
// (and of its duplicate, if any). Nothing is allocated per message.
import type { NodeId } from '../nodes/host.js';
import { AssertionError, assert, isCount } from './assert.js';
import { Reachability } from './partition.js';
import { latencyProblem, sampleLatencyNs, type LatencyDistribution, type SimRandom } from './random.js';

export interface NetworkConfig {
  /** Latency of every link unless `links` says otherwise. */
  latency: LatencyDistribution;
  /** Per directed link latency overrides. */
  links: { from: NodeId; to: NodeId; latency: LatencyDistribution }[];
  /** A message is lost with probability dropNum / den, duplicated with dupNum / den, ... */
  dropNum: number;
  dupNum: number;
  /** ... and delayed by an extra uniform [0, reorderNsMax] with reorderNum / den. */
  reorderNum: number;
  den: number;
  reorderNsMax: number;
  /** Messages in flight beyond this are dropped (reason `overflow`), so a flood cannot eat memory. */
  inFlightMax: number;
  /**
   * Bytes per second each directed link carries (0: unlimited). A message waits for the link to
   * finish the ones before it, then takes its size over this rate, then the latency.
   */
  bandwidthBytesPerSecond: number;
}

export const NETWORK_CONFIG_DEFAULT: NetworkConfig = {
  latency: { kind: 'uniform', minNs: 1_000_000, maxNs: 5_000_000 },
  links: [],
  dropNum: 0,
  dupNum: 0,
  reorderNum: 0,
  den: 1000,
  reorderNsMax: 20_000_000,
  inFlightMax: 1_000_000,
  bandwidthBytesPerSecond: 0,
};

/** Endpoints the network can hold: the link tables are endpoints squared. */
export const NETWORK_ENDPOINTS_MAX = 1024;

/** Why a message did not arrive. Codes are negative so `route` can return them in place of a time. */
export const DropReason = {
  partition: -1,
  loss: -2,
  overflow: -3,
  down: -4,
  unknownDestination: -5,
  holdFull: -6,
  noProcess: -7,
  /** Larger than MESSAGE_BYTES_MAX: the TCP host would refuse to frame it. */
  tooLarge: -8,
} as const;

const DROP_REASON_NAMES: Record<number, string> = {
  [-8]: 'too-large',
  [-1]: 'partition',
  [-2]: 'loss',
  [-3]: 'overflow',
  [-4]: 'down',
  [-5]: 'unknown-destination',
  [-6]: 'hold-full',
  [-7]: 'no-process',
};

export function dropReasonName(code: number): string {
  const name = DROP_REASON_NAMES[code];
  assert(name !== undefined, `unknown drop reason ${code}`);
  return name;
}

/** Link fault settings; absent fields keep their current value. `from`/`to` narrow which links. */
export interface LinkFaultSpec {
  from?: NodeId;
  to?: NodeId;
  dropNum?: number;
  dupNum?: number;
  reorderNum?: number;
  den?: number;
  reorderNsMax?: number;
  latency?: LatencyDistribution;
}

/** Odds denominators (and uniform latency spreads on the fast path) fit one 32-bit draw. */
const DEN_MAX = 2 ** 32;

// Latency kinds as codes so the per-message sample is a switch on a byte.
const LAT_CONSTANT = 0;
const LAT_UNIFORM = 1;
const LAT_OTHER = 2;

export class Network {
  readonly reach: Reachability;
  private readonly ids: NodeId[] = [];
  private readonly indices = new Map<NodeId, number>();
  private capacity: number;

  // Per directed link (index from * capacity + to).
  private dropNum: Float64Array;
  private dupNum: Float64Array;
  private reorderNum: Float64Array;
  private den: Float64Array;
  private reorderNsMax: Float64Array;
  private clogUntilNs: Float64Array;
  private latencyCode: Uint8Array;
  private latencyA: Float64Array;
  private latencyB: Float64Array;
  /** Non-uniform distributions by link; only read for LAT_OTHER links. */
  private latencyOther: (LatencyDistribution | undefined)[];

  /** Messages scheduled and not yet arrived or dropped; the World keeps it current. */
  inFlight = 0;
  /** After `route` returned a time: the duplicate's arrival time, or -1 when not duplicated. */
  duplicateAtNs = -1;
  /** When each directed link (from * 65536 + to) is free again, with a bandwidth set. */
  private readonly linkFreeAtNs = new Map<number, number>();

  constructor(
    readonly config: NetworkConfig,
    private readonly random: SimRandom,
    capacity = 16,
  ) {
    const problem = latencyProblem(config.latency);
    assert(problem === null, `network latency: ${problem}`);
    assert(config.den > 0 && isCount(config.den) && config.den <= DEN_MAX, `network: den must be an integer in [1, ${DEN_MAX}]`);
    for (const value of [config.dropNum, config.dupNum, config.reorderNum, config.reorderNsMax]) {
      assert(isCount(value), 'network: dropNum, dupNum, reorderNum and reorderNsMax must be non-negative integers');
    }
    assert(isCount(config.bandwidthBytesPerSecond), 'network: bandwidthBytesPerSecond must be a non-negative integer (0: unlimited)');
    for (const link of config.links) {
      const linkProblem = latencyProblem(link.latency);
      assert(linkProblem === null, `network link ${link.from}->${link.to} latency: ${linkProblem}`);
    }
    assert(isCount(config.inFlightMax) && config.inFlightMax > 0, 'network: inFlightMax must be a positive integer');
    this.capacity = capacity;
    this.reach = new Reachability(capacity);
    const links = capacity * capacity;
    this.dropNum = new Float64Array(links);
    this.dupNum = new Float64Array(links);
    this.reorderNum = new Float64Array(links);
    this.den = new Float64Array(links);
    this.reorderNsMax = new Float64Array(links);
    this.clogUntilNs = new Float64Array(links);
    this.latencyCode = new Uint8Array(links);
    this.latencyA = new Float64Array(links);
    this.latencyB = new Float64Array(links);
    this.latencyOther = new Array<LatencyDistribution | undefined>(links).fill(undefined);
  }

  /** Registers an endpoint; its links get the configured defaults. Returns its index. */
  addEndpoint(id: NodeId): number {
    assert(!this.indices.has(id), `network: endpoint "${id}" already exists`);
    assert(this.ids.length < NETWORK_ENDPOINTS_MAX, `network: more than ${NETWORK_ENDPOINTS_MAX} endpoints`);
    const index = this.ids.length;
    if (index >= this.capacity) this.grow(Math.min(this.capacity * 2, NETWORK_ENDPOINTS_MAX));
    this.ids.push(id);
    this.indices.set(id, index);
    for (let other = 0; other <= index; other++) {
      this.resetLink(index, other);
      this.resetLink(other, index);
    }
    return index;
  }

  indexOf(id: NodeId): number {
    return this.indices.get(id) ?? -1;
  }

  idOf(index: number): NodeId {
    const id = this.ids[index];
    if (id === undefined) throw new AssertionError(`network: no endpoint ${index}`);
    return id;
  }

  endpointIds(): readonly NodeId[] {
    return this.ids;
  }

  /**
   * How long a message of `sizeBytes` waits for the link from `from` to `to` and takes on it, from
   * `nowNs`, and marks the link busy that long; 0 without a bandwidth.
   */
  transmitNs(from: number, to: number, nowNs: number, sizeBytes: number): number {
    const bandwidth = this.config.bandwidthBytesPerSecond;
    if (bandwidth === 0) return 0;
    const link = from * 65536 + to;
    const startNs = Math.max(nowNs, this.linkFreeAtNs.get(link) ?? 0);
    const doneNs = startNs + Math.ceil((sizeBytes * 1e9) / bandwidth);
    this.linkFreeAtNs.set(link, doneNs);
    return doneNs - nowNs;
  }

  /**
   * A message from `from` to `to` sent at `nowNs`: its arrival time, or a negative DropReason.
   * Sets `duplicateAtNs`. Draws from the network stream only for odds that are switched on.
   */
  route(from: number, to: number, nowNs: number): number {
    if (!this.reach.reaches(from, to)) return DropReason.partition;
    if (this.inFlight >= this.config.inFlightMax) return DropReason.overflow;
    const link = from * this.capacity + to;
    const random = this.random;
    const den = this.den[link]!;
    const dropNum = this.dropNum[link]!;
    if (dropNum !== 0 && random.below(den) < dropNum) return DropReason.loss;
    let atNs = nowNs + this.sampleNs(link);
    const reorderNum = this.reorderNum[link]!;
    if (reorderNum !== 0 && random.below(den) < reorderNum) atNs += random.int(this.reorderNsMax[link]! + 1);
    const clogUntilNs = this.clogUntilNs[link]!;
    if (clogUntilNs > atNs) atNs = clogUntilNs;
    const dupNum = this.dupNum[link]!;
    if (dupNum !== 0 && random.below(den) < dupNum) {
      let duplicateAtNs = nowNs + this.sampleNs(link);
      if (clogUntilNs > duplicateAtNs) duplicateAtNs = clogUntilNs;
      this.duplicateAtNs = duplicateAtNs;
    } else {
      this.duplicateAtNs = -1;
    }
    return atNs;
  }

  /** The time until which the link holds messages (0 when not clogged). */
  clogUntil(from: number, to: number): number {
    return this.clogUntilNs[from * this.capacity + to]!;
  }

  clog(from: number, to: number, untilNs: number): void {
    assert(isCount(untilNs), 'network clog: untilNs must be a non-negative integer');
    this.clogUntilNs[from * this.capacity + to] = untilNs;
  }

  unclogAll(): void {
    this.clogUntilNs.fill(0);
  }

  /** Applies link fault settings to the links `spec.from`/`spec.to` select (all when absent). */
  setLinkFaults(spec: LinkFaultSpec): void {
    if (spec.latency !== undefined) {
      const problem = latencyProblem(spec.latency);
      assert(problem === null, `link latency: ${problem}`);
    }
    for (const value of [spec.dropNum, spec.dupNum, spec.reorderNum, spec.reorderNsMax]) {
      assert(value === undefined || isCount(value), 'link faults: numerators and reorderNsMax must be non-negative integers');
    }
    assert(spec.den === undefined || (isCount(spec.den) && spec.den > 0 && spec.den <= DEN_MAX), `link faults: den must be an integer in [1, ${DEN_MAX}]`);
    const froms = this.select(spec.from);
    const tos = this.select(spec.to);
    for (const from of froms) {
      for (const to of tos) {
        const link = from * this.capacity + to;
        if (spec.dropNum !== undefined) this.dropNum[link] = spec.dropNum;
        if (spec.dupNum !== undefined) this.dupNum[link] = spec.dupNum;
        if (spec.reorderNum !== undefined) this.reorderNum[link] = spec.reorderNum;
        if (spec.den !== undefined) this.den[link] = spec.den;
        if (spec.reorderNsMax !== undefined) this.reorderNsMax[link] = spec.reorderNsMax;
        if (spec.latency !== undefined) this.setLatency(link, spec.latency);
      }
    }
  }

  /** Every link back to the configured defaults (clogs stay: `unclogAll` clears them). */
  clearLinkFaults(): void {
    for (let from = 0; from < this.ids.length; from++) {
      for (let to = 0; to < this.ids.length; to++) this.resetLink(from, to);
    }
  }

  private select(id: NodeId | undefined): number[] {
    if (id === undefined) return this.ids.map((_, index) => index);
    const index = this.indexOf(id);
    if (index < 0) throw new Error(`link faults: unknown endpoint "${id}"`);
    return [index];
  }

  private resetLink(from: number, to: number): void {
    const link = from * this.capacity + to;
    const config = this.config;
    this.dropNum[link] = config.dropNum;
    this.dupNum[link] = config.dupNum;
    this.reorderNum[link] = config.reorderNum;
    this.den[link] = config.den;
    this.reorderNsMax[link] = config.reorderNsMax;
    let latency = config.latency;
    const fromId = this.ids[from];
    const toId = this.ids[to];
    for (const override of config.links) {
      if (override.from === fromId && override.to === toId) latency = override.latency;
    }
    this.setLatency(link, latency);
  }

  private setLatency(link: number, latency: LatencyDistribution): void {
    this.latencyOther[link] = undefined;
    if (latency.kind === 'constant') {
      this.latencyCode[link] = LAT_CONSTANT;
      this.latencyA[link] = latency.ns;
    } else if (latency.kind === 'uniform' && latency.maxNs - latency.minNs < DEN_MAX) {
      this.latencyCode[link] = LAT_UNIFORM;
      this.latencyA[link] = latency.minNs;
      this.latencyB[link] = latency.maxNs - latency.minNs + 1;
    } else {
      this.latencyCode[link] = LAT_OTHER;
      this.latencyOther[link] = latency;
    }
  }

  private sampleNs(link: number): number {
    const code = this.latencyCode[link];
    if (code === LAT_UNIFORM) return this.latencyA[link]! + this.random.below(this.latencyB[link]!);
    if (code === LAT_CONSTANT) return this.latencyA[link]!;
    return sampleLatencyNs(this.latencyOther[link]!, this.random);
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const regrow = <T extends Float64Array | Uint8Array>(array: T, make: (n: number) => T): T => {
      const next = make(capacity * capacity);
      for (let a = 0; a < old; a++) next.set(array.subarray(a * old, (a + 1) * old), a * capacity);
      return next;
    };
    const f64 = (n: number): Float64Array => new Float64Array(n);
    this.dropNum = regrow(this.dropNum, f64);
    this.dupNum = regrow(this.dupNum, f64);
    this.reorderNum = regrow(this.reorderNum, f64);
    this.den = regrow(this.den, f64);
    this.reorderNsMax = regrow(this.reorderNsMax, f64);
    this.clogUntilNs = regrow(this.clogUntilNs, f64);
    this.latencyCode = regrow(this.latencyCode, (n) => new Uint8Array(n));
    this.latencyA = regrow(this.latencyA, f64);
    this.latencyB = regrow(this.latencyB, f64);
    const other = new Array<LatencyDistribution | undefined>(capacity * capacity).fill(undefined);
    for (let a = 0; a < old; a++) for (let b = 0; b < old; b++) other[a * capacity + b] = this.latencyOther[a * old + b];
    this.latencyOther = other;
    this.reach.grow(capacity);
    this.capacity = capacity;
  }
}
