// A NemesisWorld that records every call and keeps just enough state (up/down, statuses, clock),
// for tests of fault kinds without a kernel: the kernel's own tests and the plugins' kinds share it.
import type { Message, NodeId, NodeStatus, Process } from '../../nodes/host.js';
import type { FaultCatalog } from '../catalog.js';
import type { FaultEvent } from '../kind.js';
import { Nemesis } from '../nemesis.js';
import type { DiskFaults, LinkFaults, NemesisWorld, PartitionShape } from '../world-port.js';

export const MS = 1_000_000;

/** A world that records every call and keeps just enough state (up/down, roles, clock). */
export class FakeWorld implements NemesisWorld {
  calls: string[] = [];
  nowValue = 0;
  down = new Set<NodeId>();
  statuses: Record<NodeId, NodeStatus> = {};
  actions: { timeNs: number; action: () => void }[] = [];
  link: LinkFaults | null = null;
  constructor(readonly ids: NodeId[]) {}
  at = (timeNs: number, action: () => void) => {
    this.actions.push({ timeNs, action });
  };
  /** Runs scheduled actions in (time, scheduling) order, as the World's queue does. */
  runAll(): void {
    const ordered = this.actions.map((item, seq) => ({ ...item, seq })).sort((a, b) => a.timeNs - b.timeNs || a.seq - b.seq);
    for (const item of ordered) {
      this.nowValue = item.timeNs;
      item.action();
    }
  }
  nowNs() {
    return this.nowValue;
  }
  nodes() {
    return this.ids;
  }
  status(id: NodeId) {
    return this.statuses[id] ?? {};
  }
  process(id: NodeId): Process | null {
    return this.down.has(id) ? null : ({} as Process);
  }
  partition(shape: PartitionShape) {
    this.calls.push(`partition ${JSON.stringify(shape)}`);
  }
  heal() {
    this.calls.push('heal');
  }
  setLinkFaults(faults: LinkFaults) {
    this.link = faults;
    this.calls.push(`link drop=${faults.dropNum} dup=${faults.dupNum}`);
  }
  clog(from: NodeId, to: NodeId, untilNs: number) {
    if (untilNs !== this.nowValue) this.calls.push(`clog ${from}->${to} until ${untilNs}`);
  }
  crash(id: NodeId, mode: 'lose' | 'tear') {
    this.down.add(id);
    this.calls.push(`crash ${id} ${mode}`);
  }
  restart(id: NodeId) {
    this.down.delete(id);
    this.calls.push(`restart ${id}`);
  }
  pause(id: NodeId) {
    this.calls.push(`pause ${id}`);
  }
  resume(id: NodeId) {
    this.calls.push(`resume ${id}`);
  }
  clockOffset(id: NodeId, ns: number) {
    this.calls.push(`offset ${id} ${ns}`);
  }
  clockDrift(id: NodeId, ppm: number) {
    if (ppm !== 0) this.calls.push(`drift ${id} ${ppm}`);
  }
  clockJump(id: NodeId, ns: number) {
    this.calls.push(`jump ${id} ${ns}`);
  }
  diskFault(id: NodeId, faults: DiskFaults) {
    if (faults.corruptReads || faults.fsyncFail || faults.full || faults.stallNs > 0) this.calls.push(`disk ${id} ${JSON.stringify(faults)}`);
  }
  addNode(id: NodeId) {
    this.ids.push(id);
    this.calls.push(`add ${id}`);
  }
  inject(from: NodeId, to: NodeId, message: Message) {
    this.calls.push(`inject ${from}->${to} ${JSON.stringify(message)}`);
  }
}


/** Plans `events` on a fresh three-node FakeWorld with `catalog`, runs them all, and returns both. */
export function play(catalog: FaultCatalog, events: FaultEvent[], setup?: (world: FakeWorld) => void, safetyEndMs = 10_000) {
  const world = new FakeWorld(['n1', 'n2', 'n3']);
  setup?.(world);
  const nemesis = new Nemesis(world, catalog, world.at);
  nemesis.plan(events, safetyEndMs * MS);
  world.runAll();
  return { world, nemesis };
}
