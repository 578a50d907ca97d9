// Test helper: Jepsen etcd logs (the format of Porcupine's etcd data) with a known verdict, drawn
// from a seed. Clients run reads, writes and compare-and-sets against one simulated register that
// starts absent; every op takes effect at one instant inside its invoke and response, so the log is
// linearizable by construction. Timed-out ops (`:info`, `:fail :read :timed-out`) may take effect at
// any later time or never, and a client that timed out continues as a new process, as in Jepsen,
// so large logs pile up hundreds of processes and pending ops. A violation can be planted that no
// order can explain, so the verdict is known without a checker.

/** Mulberry32: a tiny seeded generator, enough for test data. */
export function prng(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type PlantedViolation =
  | 'none'
  /** A read returns a value no op ever wrote. */
  | 'impossible-read'
  /** A read returns a value written once and overwritten before the read was invoked. */
  | 'stale-read';

export interface EtcdLogOptions {
  seed: number;
  /** Concurrent client slots. */
  clients: number;
  /** Operations invoked, all clients together. */
  ops: number;
  /** Percent of ops whose response is lost (timed out). */
  timeoutPercent: number;
  /** Percent of log lines that are noise, not ops. */
  noisePercent?: number;
  violation?: PlantedViolation;
  /** Values written are 0..valuesMax-1. */
  valuesMax?: number;
  /** A timed-out op that takes effect does so within this many timeouts of its invoke (default 3). */
  latenessTimeouts?: number;
}

export interface EtcdLog {
  text: string;
  linearizable: boolean;
  ops: number;
  timedOut: number;
  processes: number;
}

type Kind = 'read' | 'write' | 'cas';

interface PlannedOp {
  process: number;
  kind: Kind;
  /** Write: the value; cas: [from, to]. */
  argument: number | [number, number];
  invokeAt: number;
  /** When it takes effect, or null if it never does (only for a timed-out op). */
  effectAt: number | null;
  respondAt: number;
  timedOut: boolean;
  /** Filled by the simulation: the value read, or whether the cas's compare held. */
  result: number | null | boolean;
  /** Planted: the read's reported value, overriding the simulated one. */
  forcedRead?: number;
}

interface Line {
  at: number;
  text: string;
}

const SEPARATORS = ['\t', '  ', ' ', '\t\t', '   '];
const NOISE = [
  'INFO  jepsen.core - Worker 3 starting',
  'WARN  jepsen.control - Connection reset, retrying',
  'INFO  jepsen.nemesis - Partitioning: {:n1 #{:n2}}',
  'INFO  jepsen.util - :nemesis\t:info\t:start\tnil',
  '2014-05-12 10:11:12,345{GMT}\tINFO\t[main] jepsen.core: Run complete',
  '',
];
/** Reserved values for planted violations: no ordinary op writes them. */
const STALE_VALUE = 97;
const IMPOSSIBLE_VALUE = 98;
const OVERWRITE_VALUE = 0;

export function generateEtcdLog(options: EtcdLogOptions): EtcdLog {
  const random = prng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const valuesMax = options.valuesMax ?? 5;
  const violation = options.violation ?? 'none';
  const value = () => Math.floor(random() * valuesMax);
  const planned: PlannedOp[] = [];
  const clock = new Array<number>(options.clients).fill(0);
  const process = Array.from({ length: options.clients }, (_, slot) => slot);
  const timeoutAt = 10;
  const lateness = options.latenessTimeouts ?? 3;
  for (let index = 0; index < options.ops; index += 1) {
    const slot = Math.floor(random() * options.clients);
    const invokeAt = clock[slot]! + random() * 3;
    const kind = pick<Kind>(['read', 'read', 'write', 'cas', 'cas']);
    const argument: number | [number, number] = kind === 'write' ? value() : kind === 'cas' ? [value(), value()] : 0;
    const timedOut = random() * 100 < options.timeoutPercent;
    let respondAt: number;
    let effectAt: number | null;
    if (timedOut) {
      respondAt = invokeAt + timeoutAt;
      // A timed-out op may take effect after its invoke, even after the client gave up, or never.
      // Jepsen's etcd clients see the effect land within a few timeouts (a lost leader's entries
      // are committed by the next one or dropped), which bounds how late it comes here.
      effectAt = random() < 0.5 ? null : invokeAt + random() * timeoutAt * lateness;
    } else {
      respondAt = invokeAt + 0.2 + random() * 4;
      effectAt = invokeAt + random() * (respondAt - invokeAt);
    }
    planned.push({ process: process[slot]!, kind, argument, invokeAt, effectAt, respondAt, timedOut, result: null });
    clock[slot] = respondAt;
    // Jepsen retires a process whose op timed out; the client goes on as a new process.
    if (timedOut) process[slot] = process[slot]! + options.clients;
  }

  if (violation !== 'none') {
    // Somewhere in the middle, concurrent with other clients: the search must get there first.
    const end = Math.max(...clock);
    plantViolation(planned, violation, Math.max(...process) + options.clients, end * (0.25 + 0.5 * random()));
  }

  // Run the effects in time order against one register that starts absent.
  let register: number | null = null;
  const effects = planned.filter((op) => op.effectAt !== null).sort((a, b) => a.effectAt! - b.effectAt!);
  for (const op of effects) {
    if (op.kind === 'read') op.result = register;
    else if (op.kind === 'write') register = op.argument as number;
    else {
      const [from, to] = op.argument as [number, number];
      op.result = register === from;
      if (register === from) register = to;
    }
  }

  const lines: Line[] = [];
  const sep = () => pick(SEPARATORS);
  const opLine = (processId: number, type: string, f: Kind, shown: string) =>
    `INFO  jepsen.util - ${processId}${sep()}:${type}${sep()}:${f}${sep()}${shown}`;
  const show = (argument: number | [number, number] | null) =>
    argument === null ? 'nil' : Array.isArray(argument) ? `[${argument[0]} ${argument[1]}]` : String(argument);
  for (const op of planned) {
    lines.push({ at: op.invokeAt, text: opLine(op.process, 'invoke', op.kind, op.kind === 'read' ? 'nil' : show(op.argument)) });
    let completion: string;
    if (op.timedOut) {
      completion = op.kind === 'read' ? opLine(op.process, 'fail', 'read', ':timed-out') : opLine(op.process, 'info', op.kind, ':timed-out');
    } else if (op.kind === 'read') {
      completion = opLine(op.process, 'ok', 'read', show(op.forcedRead ?? (op.result as number | null)));
    } else if (op.kind === 'write') {
      completion = opLine(op.process, 'ok', 'write', show(op.argument));
    } else {
      completion = opLine(op.process, op.result === true ? 'ok' : 'fail', 'cas', show(op.argument));
    }
    lines.push({ at: op.respondAt, text: completion });
  }
  lines.sort((a, b) => a.at - b.at);
  const noisePercent = options.noisePercent ?? 5;
  const text: string[] = ['INFO  jepsen.core - Running test etcd'];
  for (const line of lines) {
    if (random() * 100 < noisePercent) text.push(pick(NOISE));
    text.push(line.text);
  }
  return {
    text: `${text.join('\n')}\n`,
    linearizable: violation === 'none',
    ops: planned.length,
    timedOut: planned.filter((op) => op.timedOut).length,
    processes: new Set(planned.map((op) => op.process)).size,
  };
}

/**
 * Adds, on a new process starting at `at`, a short sequential run that no linearization explains:
 * a read of a value nobody wrote, or a read of a value written exactly once and overwritten (by a
 * write that started after it finished) before the read began. Reserved values are never written or
 * cas'd to by other ops, so neither pending ops nor concurrent clients can explain it away.
 */
function plantViolation(planned: PlannedOp[], violation: PlantedViolation, processId: number, at: number): void {
  const sequential = (kind: Kind, argument: number | [number, number], forcedRead?: number): void => {
    const op: PlannedOp = { process: processId, kind, argument, invokeAt: at, effectAt: at + 0.5, respondAt: at + 1, timedOut: false, result: null };
    if (forcedRead !== undefined) op.forcedRead = forcedRead;
    planned.push(op);
    at += 2;
  };
  if (violation === 'impossible-read') {
    sequential('read', 0, IMPOSSIBLE_VALUE);
    return;
  }
  sequential('write', STALE_VALUE);
  sequential('write', OVERWRITE_VALUE);
  sequential('read', 0, STALE_VALUE);
}
