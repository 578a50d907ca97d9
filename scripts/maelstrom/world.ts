// The nemesis's World (faults/world-port.ts) over the Maelstrom network: the same fault kinds and
// planner a simulated run and `cluster test` play, so `--nemesis partition` draws its partitions
// exactly as `--faults partition` does elsewhere. Only the network faults mean something here:
// a Maelstrom node is a process the lab talks to over pipes, and Maelstrom itself never crashes,
// pauses or re-clocks one, so the command offers network kinds alone; a call to anything else is
// kept in `errors` (said by the run), never faked.
import type { Message, NodeId, NodeStatus, Process } from '../../nodes/host.js';
import type { DiskFaults, LinkFaults, NemesisWorld, PartitionShape } from '../../faults/world-port.js';
import { type NetworkState, linkKey, partitionCuts } from '../cluster/link-rules.js';
import type { MaelstromNetwork } from './network.js';

/** The nemesis asks only whether a process exists: a Maelstrom node always does. */
const CHILD_PROCESS: Process = Object.freeze({
  start: () => undefined,
  onMessage: () => undefined,
  onTimer: () => undefined,
  onFsync: () => undefined,
});

export class MaelstromWorld implements NemesisWorld {
  readonly errors: string[] = [];
  private state: NetworkState;
  /** When each clogged link lets go (run clock, ns); an endless clog waits for the heal. */
  private readonly clogEnds = new Map<string, number>();
  private clogTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly network: MaelstromNetwork,
    private readonly ids: readonly NodeId[],
    private readonly clock: () => number,
  ) {
    this.state = { cuts: new Set(), isolated: new Set(), clogs: new Set(), faults: network.faults };
  }

  stop(): void {
    if (this.clogTimer !== null) clearTimeout(this.clogTimer);
    this.clogTimer = null;
    this.clogEnds.clear();
  }

  nowNs(): number {
    return Math.round(this.clock());
  }

  nodes(): readonly NodeId[] {
    return [...this.ids].sort();
  }

  status(): NodeStatus {
    return {};
  }

  process(): Process | null {
    return CHILD_PROCESS;
  }

  partition(shape: PartitionShape): void {
    const { cuts, isolated } = partitionCuts(shape, this.nodes());
    this.apply({ ...this.state, cuts, isolated });
  }

  heal(): void {
    this.stop();
    this.apply({ ...this.state, cuts: new Set(), isolated: new Set(), clogs: new Set() });
  }

  setLinkFaults(faults: LinkFaults): void {
    this.apply({ ...this.state, faults: { ...faults } });
  }

  clog(from: NodeId, to: NodeId, untilNs: number): void {
    this.clogEnds.set(linkKey(from, to), untilNs);
    this.refreshClogs();
  }

  crash(id: NodeId, _mode: 'lose' | 'tear'): void {
    this.cannot(`crash ${id}`);
  }

  restart(id: NodeId): void {
    this.cannot(`restart ${id}`);
  }

  pause(id: NodeId): void {
    this.cannot(`pause ${id}`);
  }

  resume(id: NodeId): void {
    this.cannot(`resume ${id}`);
  }

  // The heal sets every clock's drift to 0: no clock was ever moved, so a zero setting is no change.
  clockOffset(id: NodeId, offsetNs: number): void {
    if (offsetNs !== 0) this.cannot(`clock offset on ${id}`);
  }

  clockDrift(id: NodeId, ppm: number): void {
    if (ppm !== 0) this.cannot(`clock drift on ${id}`);
  }

  clockJump(id: NodeId, jumpNs: number): void {
    if (jumpNs !== 0) this.cannot(`clock jump on ${id}`);
  }

  diskFault(id: NodeId, faults: DiskFaults): void {
    // The heal clears disk faults everywhere: nothing was set, nothing to clear.
    if (faults.corruptReads || faults.fsyncFail || faults.full || faults.stallNs > 0) this.cannot(`disk faults on ${id}`);
  }

  addNode(id: NodeId): void {
    this.cannot(`adding node ${id}`);
  }

  inject(from: NodeId, to: NodeId, _message: Message): void {
    this.cannot(`a message from ${from} to ${to}`);
  }

  private cannot(what: string): void {
    this.errors.push(`${what} cannot be done to a Maelstrom node (only network faults apply)`);
  }

  /** Lifts the clogs whose end has come, then sleeps until the next one ends. */
  private refreshClogs(): void {
    const nowNs = this.nowNs();
    for (const [key, untilNs] of this.clogEnds) if (untilNs <= nowNs) this.clogEnds.delete(key);
    if (this.clogTimer !== null) clearTimeout(this.clogTimer);
    this.clogTimer = null;
    const nextNs = Math.min(...this.clogEnds.values());
    if (nextNs < Number.MAX_SAFE_INTEGER) this.clogTimer = setTimeout(() => this.refreshClogs(), (nextNs - nowNs) / 1e6);
    this.apply({ ...this.state, clogs: new Set(this.clogEnds.keys()) });
  }

  private apply(state: NetworkState): void {
    this.state = state;
    this.network.setState(state);
  }
}
