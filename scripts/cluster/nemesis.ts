// Carries out a fault plan against a live cluster from outside: signals to node processes, rules
// on their proxies. Every fault is recorded as `<kind>.start` / `<kind>.stop` fault events with
// real times on the history's clock, named as the simulator names them (crash, pause,
// partition-isolate, delay, drop), so the viewer and the report draw them the same way.
import type { NodeId } from '../../nodes/host.js';
import type { FaultEvent } from '../../histories/store.js';
import type { LinkRule } from '../tcp/proxy.js';
import { type ClusterDriver, clusterHealth, leaderOf } from './driver.js';
import type { FaultTarget, PlannedFault } from './plan.js';

export interface NemesisOptions {
  driver: ClusterDriver;
  plan: readonly PlannedFault[];
  /** The history's clock: ns since the test's epoch. */
  nowNs: () => number;
  /**
   * No fault starts after this (ms on the test clock): when a real restart took longer than planned,
   * later faults are skipped (and recorded as skipped) so the liveness phase keeps its length.
   */
  startByMs: number;
  log: (line: string) => void;
}

/** A fault shorter than this is not worth starting: it would heal before it could bite. */
export const FAULT_MS_MIN = 250;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Rules that cut `node` off from every other node, both ways, leaving clients alone. */
export function isolationRules(nodes: readonly NodeId[], node: NodeId): Map<NodeId, LinkRule[]> {
  const rules = new Map<NodeId, LinkRule[]>();
  for (const other of nodes) {
    if (other === node) continue;
    rules.set(other, [{ from: node, to: other, cut: true }]);
  }
  rules.set(
    node,
    nodes.filter((other) => other !== node).map((other) => ({ from: other, to: node, cut: true })),
  );
  return rules;
}

/** Rules that make every link between nodes lossy (clients' links stay clean). */
export function lossRules(nodes: readonly NodeId[], lossPercent: number): Map<NodeId, LinkRule[]> {
  const rules = new Map<NodeId, LinkRule[]>();
  for (const to of nodes) {
    rules.set(
      to,
      nodes.filter((from) => from !== to).map((from) => ({ from, to, lossPercent })),
    );
  }
  return rules;
}

/** The simulator's name of a planned fault, for its recorded events. */
function kindName(fault: PlannedFault): string {
  const names: Record<PlannedFault['kind'], string> = {
    kill: 'crash',
    pause: 'pause',
    partition: 'partition-isolate',
    latency: 'delay',
    loss: 'drop',
    'restart-all': 'crash',
  };
  return names[fault.kind];
}

export class ClusterNemesis {
  readonly events: FaultEvent[] = [];
  readonly errors: string[] = [];
  healedAtNs: number | null = null;
  /** Nodes the nemesis has killed and not yet restarted, or paused and not yet resumed. */
  private readonly killed = new Set<NodeId>();
  private readonly paused = new Set<NodeId>();
  private rulesSet = false;
  private stopped = false;
  private faultIndex = 0;

  constructor(private readonly options: NemesisOptions) {}

  /** Runs the plan to its end; resolves when the last fault has healed. */
  async run(): Promise<void> {
    for (const [index, fault] of this.options.plan.entries()) {
      if (this.stopped) return;
      this.faultIndex = index;
      await sleep(fault.atMs - this.options.nowNs() / 1e6);
      if (this.stopped) return;
      // A real restart can take longer than planned: a late fault is shortened to end with the
      // fault window, and skipped when too little of the window is left for it to mean anything.
      const leftMs = this.options.startByMs - this.options.nowNs() / 1e6;
      if (leftMs < FAULT_MS_MIN) {
        this.record(`${kindName(fault)}.skip`, { event: index, reason: 'the fault window is over (an earlier fault ran long)' });
        continue;
      }
      try {
        await this.execute({ ...fault, durationMs: Math.min(fault.durationMs, Math.floor(leftMs)) });
      } catch (error) {
        const message = `fault ${index} (${fault.kind}): ${(error as Error).message}`;
        this.errors.push(message);
        this.record('nemesis.error', { event: index, message });
        this.options.log(`nemesis: ${message}`);
      }
    }
  }

  /** Undoes whatever is still in effect (used when the run is cut short). */
  async healAll(): Promise<void> {
    this.stopped = true;
    const { driver } = this.options;
    for (const id of [...this.paused]) await this.resume(id);
    for (const id of [...this.killed]) {
      try {
        await this.restart(id);
      } catch (error) {
        this.errors.push(`restart of ${id} while healing: ${(error as Error).message}`);
      }
    }
    if (this.rulesSet) {
      await Promise.all(driver.nodes.map((id) => driver.setRules(id, [])));
      this.rulesSet = false;
      this.record('heal.start', {});
    }
  }

  private record(kind: string, fields: Record<string, unknown>): void {
    const time = Math.round(this.options.nowNs());
    this.events.push({ time, kind, fields });
    if (kind.endsWith('.stop')) this.healedAtNs = time;
  }

  private async target(target: FaultTarget): Promise<NodeId> {
    if ('node' in target) return target.node;
    const leader = leaderOf(await clusterHealth(this.options.driver, 500));
    // No leader right now (an election is on): hit the first node rather than skip the fault.
    return leader ?? this.options.driver.nodes[0]!;
  }

  private async setRules(rules: Map<NodeId, LinkRule[]>): Promise<void> {
    this.rulesSet = true;
    await Promise.all([...rules.entries()].map(([id, list]) => this.options.driver.setRules(id, list)));
  }

  private async clearRules(): Promise<void> {
    await Promise.all(this.options.driver.nodes.map((id) => this.options.driver.setRules(id, [])));
    this.rulesSet = false;
  }

  private async kill(id: NodeId): Promise<void> {
    this.killed.add(id);
    this.record('crash.start', { event: this.faultIndex, node: id, signal: 'SIGKILL' });
    await this.options.driver.kill(id);
  }

  private async restart(id: NodeId): Promise<void> {
    await this.options.driver.restart(id);
    this.killed.delete(id);
    this.record('crash.stop', { event: this.faultIndex, node: id });
  }

  private async resume(id: NodeId): Promise<void> {
    await this.options.driver.resume(id);
    this.paused.delete(id);
    this.record('pause.stop', { event: this.faultIndex, node: id });
  }

  private async execute(fault: PlannedFault): Promise<void> {
    const { driver } = this.options;
    const event = this.faultIndex;
    switch (fault.kind) {
      case 'kill': {
        const id = await this.target(fault.target);
        await this.kill(id);
        await sleep(fault.durationMs);
        await this.restart(id);
        return;
      }
      case 'pause': {
        const id = await this.target(fault.target);
        this.paused.add(id);
        await driver.pause(id);
        this.record('pause.start', { event, node: id, signal: 'SIGSTOP' });
        await sleep(fault.durationMs);
        await this.resume(id);
        return;
      }
      case 'partition': {
        const id = await this.target(fault.target);
        await this.setRules(isolationRules(driver.nodes, id));
        this.record('partition-isolate.start', { event, node: id });
        await sleep(fault.durationMs);
        await this.clearRules();
        this.record('partition-isolate.stop', { event, node: id });
        return;
      }
      case 'latency': {
        await this.setRules(new Map(driver.nodes.map((id) => [id, [{ from: '*', to: '*', delayMs: fault.delayMs, jitterMs: fault.jitterMs }]])));
        this.record('delay.start', { event, latencyMsMin: fault.delayMs, latencyMsMax: fault.delayMs + fault.jitterMs });
        await sleep(fault.durationMs);
        await this.clearRules();
        this.record('delay.stop', { event });
        return;
      }
      case 'loss': {
        await this.setRules(lossRules(driver.nodes, fault.lossPercent));
        this.record('drop.start', { event, probability: fault.lossPercent / 100 });
        await sleep(fault.durationMs);
        await this.clearRules();
        this.record('drop.stop', { event });
        return;
      }
      case 'restart-all': {
        const started = this.options.nowNs() / 1e6;
        const stepMs = fault.durationMs / fault.order.length;
        for (const [step, id] of fault.order.entries()) {
          if (this.stopped) return;
          await sleep(started + step * stepMs - this.options.nowNs() / 1e6);
          await this.kill(id);
          await sleep(fault.downMs);
          await this.restart(id);
        }
        return;
      }
    }
  }
}
