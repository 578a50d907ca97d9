// Binds the nemesis's narrow view of a World (world-port.ts) to the kernel's World, and turns a
// scenario's network and disk settings into the kernel's configs. The only file of faults/ that
// knows the kernel's fault API in detail.
import type { Message, NodeId } from '../../nodes/host.js';
import type { DiskConfig, LatencyDistribution, NetworkConfig, World } from '../../sim/index.js';
import type { ExplicitScenario } from './scenario.js';
import type { DiskFaults, LinkFaults, NemesisWorld, PartitionShape } from '../../faults/world-port.js';

/** Base message latency when a scenario says nothing: the kernel's default range, 1 to 5 ms. */
const LATENCY_US_MIN_DEFAULT = 1_000;
const LATENCY_US_MAX_DEFAULT = 5_000;

function baseLatency(network: ExplicitScenario['network']): { minNs: number; maxNs: number } {
  const minUs = network?.latencyUsMin ?? LATENCY_US_MIN_DEFAULT;
  const maxUs = Math.max(minUs, network?.latencyUsMax ?? Math.max(minUs, LATENCY_US_MAX_DEFAULT));
  return { minNs: minUs * 1_000, maxNs: maxUs * 1_000 };
}

export function worldNetworkConfig(network: ExplicitScenario['network']): Partial<NetworkConfig> {
  const { minNs, maxNs } = baseLatency(network);
  const config: Partial<NetworkConfig> = { latency: { kind: 'uniform', minNs, maxNs } };
  if (network?.bandwidthBytesPerSecond !== undefined) config.bandwidthBytesPerSecond = network.bandwidthBytesPerSecond;
  return config;
}

export function worldDiskConfig(disk: ExplicitScenario['disk']): Partial<DiskConfig> {
  if (disk?.fsyncUsMin === undefined && disk?.fsyncUsMax === undefined) return {};
  const minUs = disk.fsyncUsMin ?? 200;
  const maxUs = Math.max(minUs, disk.fsyncUsMax ?? minUs);
  return { fsyncLatency: { kind: 'uniform', minNs: minUs * 1_000, maxNs: maxUs * 1_000 } };
}

export class WorldPort implements NemesisWorld {
  private readonly latency: { minNs: number; maxNs: number };

  constructor(
    private readonly world: World,
    network: ExplicitScenario['network'],
  ) {
    this.latency = baseLatency(network);
  }

  nowNs(): number {
    return this.world.nowNs();
  }

  nodes(): readonly NodeId[] {
    return this.world.nodes();
  }

  status(id: NodeId) {
    return this.world.status(id);
  }

  process(id: NodeId) {
    return this.world.process(id);
  }

  partition(shape: PartitionShape): void {
    switch (shape.shape) {
      case 'isolate':
        this.world.partition({ kind: 'isolate', node: shape.node });
        return;
      case 'halves':
        this.world.partition({ kind: 'halves', minority: [...shape.side] });
        return;
      case 'bridge':
        this.world.partition({ kind: 'bridge', bridge: shape.bridge, left: [...shape.left], right: [...shape.right] });
        return;
      case 'ring':
        this.world.partition({ kind: 'ring', order: [...shape.order] });
        return;
      case 'one-way': {
        // The kernel cuts one directed link per spec: the first replaces the partition in force and
        // the rest merge into it.
        let first = true;
        for (const from of shape.from) {
          for (const to of shape.to) {
            if (from === to) continue;
            this.world.partition({ kind: 'one-way', from, to, merge: !first });
            first = false;
          }
        }
        return;
      }
    }
  }

  heal(): void {
    this.world.heal();
  }

  setLinkFaults(faults: LinkFaults): void {
    const latency: LatencyDistribution = {
      kind: 'uniform',
      minNs: this.latency.minNs + faults.delayNsMin,
      maxNs: this.latency.maxNs + faults.delayNsMax,
    };
    this.world.setLinkFaults({
      dropNum: faults.dropNum,
      dupNum: faults.dupNum,
      reorderNum: faults.reorderNum,
      den: faults.den,
      reorderNsMax: faults.reorderDelayNsMax,
      latency,
    });
  }

  clog(from: NodeId, to: NodeId, untilNs: number): void {
    this.world.clog(from, to, untilNs);
  }

  crash(id: NodeId, mode: 'lose' | 'tear'): void {
    this.world.crash(id, mode);
  }

  restart(id: NodeId): void {
    this.world.restart(id);
  }

  pause(id: NodeId): void {
    this.world.pause(id);
  }

  resume(id: NodeId): void {
    this.world.resume(id);
  }

  clockOffset(id: NodeId, offsetNs: number): void {
    this.world.clockOffset(id, offsetNs);
  }

  clockDrift(id: NodeId, ppm: number): void {
    this.world.clockDrift(id, ppm);
  }

  clockJump(id: NodeId, jumpNs: number): void {
    this.world.clockJump(id, jumpNs);
  }

  diskFault(id: NodeId, faults: DiskFaults): void {
    this.world.diskFault(id, faults);
  }

  addNode(id: NodeId): void {
    this.world.addNode(id);
  }

  inject(from: NodeId, to: NodeId, message: Message): void {
    this.world.inject(from, to, message);
  }
}
