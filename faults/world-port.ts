// The part of the kernel's World the nemesis drives. Faults are written against this narrow view so
// they can be tested with a recording fake and so one file shows everything faults ask of sim/.
import type { Message, NodeId, NodeStatus, Process } from '../nodes/host.js';

/** A partition as the nemesis means it: which server nodes may still reach which. */
export type PartitionShape =
  | { shape: 'isolate'; node: NodeId }
  | { shape: 'halves'; side: readonly NodeId[] }
  | { shape: 'bridge'; left: readonly NodeId[]; right: readonly NodeId[]; bridge: NodeId }
  | { shape: 'ring'; order: readonly NodeId[] }
  | { shape: 'one-way'; from: readonly NodeId[]; to: readonly NodeId[] };

/** Link faults for every link at once; probabilities as integer fractions of `den`. */
export interface LinkFaults {
  dropNum: number;
  dupNum: number;
  reorderNum: number;
  den: number;
  /** Extra delay a reordered message gets, at most. */
  reorderDelayNsMax: number;
  /** Extra latency on every message, drawn uniformly in [min, max]; zero when no delay fault. */
  delayNsMin: number;
  delayNsMax: number;
}

export interface DiskFaults {
  corruptReads: boolean;
  fsyncFail: boolean;
  stallNs: number;
  full: boolean;
}

export interface NemesisWorld {
  nowNs(): number;
  /** Server ids that currently exist, sorted. */
  nodes(): readonly NodeId[];
  status(id: NodeId): NodeStatus;
  /** Null while the process is crashed. */
  process(id: NodeId): Process | null;
  partition(shape: PartitionShape): void;
  heal(): void;
  setLinkFaults(faults: LinkFaults): void;
  clog(from: NodeId, to: NodeId, untilNs: number): void;
  crash(id: NodeId, mode: 'lose' | 'tear'): void;
  restart(id: NodeId): void;
  pause(id: NodeId): void;
  resume(id: NodeId): void;
  clockOffset(id: NodeId, offsetNs: number): void;
  clockDrift(id: NodeId, ppm: number): void;
  clockJump(id: NodeId, jumpNs: number): void;
  diskFault(id: NodeId, faults: DiskFaults): void;
  addNode(id: NodeId): void;
  inject(from: NodeId, to: NodeId, message: Message): void;
}

export const NO_LINK_FAULTS: LinkFaults = Object.freeze({
  dropNum: 0,
  dupNum: 0,
  reorderNum: 0,
  den: 1_000_000,
  reorderDelayNsMax: 0,
  delayNsMin: 0,
  delayNsMax: 0,
});

export const NO_DISK_FAULTS: DiskFaults = Object.freeze({ corruptReads: false, fsyncFail: false, stallNs: 0, full: false });
