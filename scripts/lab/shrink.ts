// Shrinking a failing run: delta debugging (Zeller's ddmin) over the explicit scenario, keeping the
// seed. Each pass proposes smaller scenarios (shorter safety phase, fewer fault events, shorter
// faults, fewer ops, clients and nodes) and keeps the first that still fails with the same kind of
// violation. Every candidate is a valid explicit scenario, so the result is a file anyone can run.
import type { FaultEvent } from '../../faults/events.js';
import type { FaultCatalog } from '../../faults/catalog.js';
import { isProgress } from '../../checkers/verdict.js';
import type { OptionShrink } from '../../workloads/system.js';
import type { RunResult } from './runner.js';
import type { ExplicitScenario } from './scenario.js';

export interface ShrinkOptions {
  /** Runs spent at most, the original's excluded. */
  runsMax: number;
  /** The smallest cluster the system runs with. */
  nodesMin: number;
  /** Ops a capsule should not exceed: with budget left, other seeds are tried at this size. */
  opsGoal?: number;
  /** Fault kinds that act at one instant (no length to shorten), from the system's catalog. */
  instantKinds: ReadonlySet<string>;
  /** The workload options it may simplify (the workload's `shrink`); absent: none. */
  options?: readonly OptionShrink[];
}

/** The instant kinds of a system's catalog, for ShrinkOptions. */
export function instantKindsOf(catalog: FaultCatalog): ReadonlySet<string> {
  return new Set(catalog.kinds.filter((kind) => kind.instant).map((kind) => kind.name));
}

/** A capsule a person can read end to end: forty operations fit on a screen. */
export const OPS_GOAL_DEFAULT = 40;

export interface ShrinkResult {
  /** The smallest failing run found (the original when nothing smaller failed). */
  result: RunResult;
  /** Runs spent. */
  runs: number;
  /** One line per accepted step, for a person reading how it got there. */
  steps: string[];
}

/** The option's value in a scenario, or what its absence counts as. */
function optionValue(scenario: ExplicitScenario, option: OptionShrink): number {
  const value = scenario.workload[option.field];
  return typeof value === 'number' ? value : option.absentAs;
}

/** Size of a run, compared lexicographically: fault events matter most, then ops. */
export function runSize(result: RunResult, options: readonly OptionShrink[] = []): number[] {
  const scenario = result.scenario;
  const faultMs = scenario.faults.reduce((sum, event) => sum + (event.durationMs ?? scenario.durationMs), 0);
  return [
    result.faultEvents,
    scenario.faults.length,
    result.ops,
    // A mix change such as reads left out is simpler (every op then changes state), and lets a cut come sooner.
    ...options.filter((option) => option.sideways === true).map((option) => optionValue(scenario, option)),
    scenario.workload.clients,
    scenario.nodes,
    // Each knob left away from its default is one more thing a reader must keep in mind.
    Object.keys(scenario.knobs ?? {}).length,
    ...options.filter((option) => option.sideways !== true).map((option) => optionValue(scenario, option)),
    faultMs,
    endMs(scenario),
    scenario.durationMs,
    scenario.livenessMs,
  ];
}

function smaller(a: number[], b: number[]): boolean {
  for (let index = 0; index < a.length; index++) {
    if (a[index]! !== b[index]!) return a[index]! < b[index]!;
  }
  return false;
}

/**
 * The violation a shrink must keep: the original's invalid safety checkers when there are any (a
 * progress failure is often a consequence; the safety violation is the finding), else its invalid
 * progress checkers.
 */
export function targetViolation(original: Pick<RunResult, 'checkers'>): string[] {
  const invalid = original.checkers.filter((result) => result.verdict === 'invalid');
  const safety = invalid.filter((result) => !isProgress(result));
  return [...new Set((safety.length > 0 ? safety : invalid).map((result) => result.checker))].sort();
}

/** True when `candidate` still shows the kind of violation the shrink keeps. */
export function sameViolation(target: readonly string[], candidate: RunResult): boolean {
  if (candidate.violation === null) return false;
  const names = new Set(candidate.violation.split('+'));
  return target.some((name) => names.has(name));
}

interface Candidate {
  scenario: ExplicitScenario;
  step: string;
  /** A different seed to try the smaller scenario with; absent keeps the current seed. */
  seed?: number;
  /**
   * A sideways move (another seed, another op mix): its run may fail at another pace than the
   * current best, so when it fails but is not smaller it is cut down on its own, then compared.
   */
  sideways?: boolean;
}

/** Seeds a reseed pass tries per smaller size. */
export const RESEEDS = 8;
/** A shift leaves the first fault at least this late, so the cluster has had time to elect. */
const SHIFT_LEAD_MS = 300;
/** Op budgets a reseed pass tries, smallest first. */
const RESEED_OPS = [10, 20, 40] as const;

const NODE_FIELDS = ['node', 'to', 'bridge', 'from'] as const;
const NODE_LIST_FIELDS = ['side', 'left', 'right', 'order', 'from', 'to'] as const;

/** The event without node `id`, or null when it cannot exist without it. */
function withoutNode(event: FaultEvent, id: string): FaultEvent | null {
  const copy = { ...event } as Record<string, unknown>;
  for (const field of NODE_FIELDS) if (copy[field] === id) return null;
  for (const field of NODE_LIST_FIELDS) {
    const value = copy[field];
    if (Array.isArray(value)) {
      const kept = (value as string[]).filter((node) => node !== id);
      if (kept.length === 0) return null;
      copy[field] = kept;
    }
  }
  return copy as FaultEvent;
}

function withFaults(scenario: ExplicitScenario, faults: FaultEvent[]): ExplicitScenario {
  return { ...scenario, faults };
}

/** The last instant any fault is active, in ms; 0 without faults. */
function faultsEndMs(scenario: ExplicitScenario): number {
  let end = 0;
  for (const event of scenario.faults) end = Math.max(end, event.atMs + (event.durationMs ?? 0) + 1);
  return end;
}

/**
 * A bug switched on late (`bugAtMs`) switched on sooner: from the start, then at half the moment,
 * and so on. Not smaller by itself (the same events and ops), so each is a sideways move: a run
 * that still fails is cut down on its own, and a failure that now comes early cuts to a short run.
 * Repeating phases dropped too (one fault window, no quiet ones), when the failure does not need them.
 */
function* lateCandidates(scenario: ExplicitScenario): Generator<Candidate> {
  const bugAtMs = scenario.bugAtMs;
  if (bugAtMs !== undefined) {
    const { bugAtMs: _dropped, ...fromStart } = scenario;
    yield { scenario: fromStart, step: `bug switched on at 0 ms, not ${bugAtMs} ms`, sideways: true };
    for (let at = Math.floor(bugAtMs / 2); at >= 1; at = Math.floor(at / 2)) {
      yield { scenario: { ...scenario, bugAtMs: at }, step: `bug switched on at ${at} ms, not ${bugAtMs} ms`, sideways: true };
    }
  }
  if (scenario.phases !== undefined) {
    const { phases: _dropped, ...onePhase } = scenario;
    yield { scenario: onePhase, step: 'repeating phases dropped', sideways: true };
  }
}

function* durationCandidates(scenario: ExplicitScenario): Generator<Candidate> {
  const endMs = faultsEndMs(scenario);
  // Cut the safety phase right after the last fault; then halve it, dropping faults that no longer fit.
  const targets = [Math.max(1, endMs), Math.floor(scenario.durationMs / 2)];
  for (const durationMs of targets) {
    if (durationMs < 1 || durationMs >= scenario.durationMs) continue;
    const faults = scenario.faults.filter((event) => event.atMs < durationMs);
    yield { scenario: { ...withFaults(scenario, faults), durationMs }, step: `safety phase ${scenario.durationMs} -> ${durationMs} ms` };
  }
}

function* faultLengthCandidates(scenario: ExplicitScenario, instantKinds: ReadonlySet<string>): Generator<Candidate> {
  for (let index = 0; index < scenario.faults.length; index++) {
    const event = scenario.faults[index]!;
    // An instant fault (a jump, a transfer) has no length to shorten.
    if (instantKinds.has(event.kind)) continue;
    const lasting = event.durationMs ?? scenario.durationMs - event.atMs;
    const shorter = Math.floor(lasting / 2);
    if (shorter < 1 || (event.durationMs !== undefined && shorter >= event.durationMs)) continue;
    const faults = scenario.faults.map((other, at) => (at === index ? ({ ...other, durationMs: shorter } as FaultEvent) : other));
    yield { scenario: withFaults(scenario, faults), step: `fault ${index} (${event.kind}) ${lasting} -> ${shorter} ms` };
  }
}

function* opsCandidates(scenario: ExplicitScenario, ops: number): Generator<Candidate> {
  const current = Math.min(scenario.workload.opsMax, ops);
  const targets = [Math.floor(current / 4), Math.floor(current / 2), Math.floor((current * 3) / 4), Math.floor((current * 9) / 10), current - 1];
  const seen = new Set<number>();
  for (const opsMax of targets) {
    if (opsMax < 1 || opsMax >= scenario.workload.opsMax || seen.has(opsMax)) continue;
    seen.add(opsMax);
    yield { scenario: { ...scenario, workload: { ...scenario.workload, opsMax } }, step: `ops ${current} -> at most ${opsMax}` };
  }
}

/**
 * Fewer clients. First with the op budget cut in proportion, so each remaining client keeps its
 * share and its pace (its random stream is its own), and the run loses only the dropped clients'
 * ops; then with the budget as it is.
 */
function* clientCandidates(scenario: ExplicitScenario, ops: number): Generator<Candidate> {
  const clients = scenario.workload.clients;
  const current = Math.min(scenario.workload.opsMax, ops);
  const targets = [...new Set([1, Math.floor(clients / 2), clients - 1])].filter((target) => target >= 1 && target < clients);
  for (const target of targets) {
    const opsMax = Math.max(1, Math.ceil((scenario.workload.opsMax * target) / clients));
    if (opsMax < current) {
      yield {
        scenario: { ...scenario, workload: { ...scenario.workload, clients: target, opsMax } },
        step: `clients ${clients} -> ${target} with their share of ops (at most ${opsMax})`,
      };
    }
  }
  for (const target of targets) {
    yield { scenario: { ...scenario, workload: { ...scenario.workload, clients: target } }, step: `clients ${clients} -> ${target}` };
  }
}

function* nodeCandidates(scenario: ExplicitScenario, nodesMin: number): Generator<Candidate> {
  // Drop the highest-numbered node (ids stay n1..nK): events that need it go, lists lose it.
  if (scenario.nodes <= nodesMin) return;
  const removed = `n${scenario.nodes}`;
  const faults: FaultEvent[] = [];
  for (const event of scenario.faults) {
    const kept = withoutNode(event, removed);
    if (kept !== null) faults.push(kept);
  }
  yield { scenario: { ...withFaults(scenario, faults), nodes: scenario.nodes - 1 }, step: `nodes ${scenario.nodes} -> ${scenario.nodes - 1}` };
}

function* livenessCandidates(scenario: ExplicitScenario): Generator<Candidate> {
  const shorter = Math.floor(scenario.livenessMs / 2);
  if (shorter >= 500 && shorter < scenario.livenessMs) {
    yield { scenario: { ...scenario, livenessMs: shorter }, step: `liveness phase ${scenario.livenessMs} -> ${shorter} ms` };
  }
}

/** Where the run ends now, in ms. */
function endMs(scenario: ExplicitScenario): number {
  const full = scenario.durationMs + scenario.livenessMs;
  return scenario.stopAtMs === undefined ? full : Math.min(full, scenario.stopAtMs);
}

/**
 * Cuts the run off early with every parameter unchanged (`stopAtMs`): the cut run is an exact prefix
 * of the longer one, so a violation completed before the cut survives it. Halving steps find the
 * cut in a few runs, and the fine ones bring it to within a sixty-fourth of the violation.
 */
function* cutCandidates(scenario: ExplicitScenario): Generator<Candidate> {
  const end = endMs(scenario);
  // The fine cuts last: they close in on the violation once the coarse ones stop failing.
  for (const [numerator, denominator] of [[1, 8], [1, 4], [1, 2], [3, 4], [7, 8], [15, 16], [31, 32], [63, 64]] as const) {
    const stopAtMs = Math.floor((end * numerator) / denominator);
    if (stopAtMs < 1 || stopAtMs >= end) continue;
    const faults = scenario.faults.filter((event) => event.atMs < stopAtMs);
    yield { scenario: { ...withFaults(scenario, faults), stopAtMs }, step: `run cut at ${stopAtMs} ms (of ${end})` };
  }
}

/**
 * Moves every fault earlier by the same amount, and the cut with them, everything else unchanged:
 * the workload keeps its pace, so the faults meet a shorter history and the cut run holds fewer
 * ops. A bug that needs a fault at the right moment, not a long history, survives the move.
 */
function* shiftCandidates(scenario: ExplicitScenario): Generator<Candidate> {
  if (scenario.faults.length === 0 || scenario.stopAtMs === undefined) return;
  const firstMs = Math.min(...scenario.faults.map((event) => event.atMs));
  const shifts = new Set([Math.floor(firstMs / 2), Math.floor((firstMs * 3) / 4), firstMs - Math.min(firstMs, SHIFT_LEAD_MS)]);
  for (const shiftMs of [...shifts].sort((a, b) => b - a)) {
    if (shiftMs < 1 || scenario.stopAtMs - shiftMs < 1) continue;
    const faults = scenario.faults.map((event) => ({ ...event, atMs: event.atMs - shiftMs }) as FaultEvent);
    yield {
      scenario: { ...withFaults(scenario, faults), stopAtMs: scenario.stopAtMs - shiftMs },
      step: `faults and cut ${shiftMs} ms earlier`,
    };
  }
}

/**
 * Cuts the whole run short: both phases and the op budget by the same factor, so a workload that
 * spreads its budget over the run keeps its pace and the shorter run replays a prefix of the
 * longer one. A violation that happened early survives the cut.
 */
function* truncateCandidates(scenario: ExplicitScenario, ops: number): Generator<Candidate> {
  const current = Math.min(scenario.workload.opsMax, ops);
  for (const [numerator, denominator] of [[1, 4], [1, 2], [3, 4]] as const) {
    const durationMs = Math.floor((scenario.durationMs * numerator) / denominator);
    const livenessMs = Math.floor((scenario.livenessMs * numerator) / denominator);
    const opsMax = Math.ceil((current * numerator) / denominator);
    if (durationMs < 1 || opsMax < 1 || opsMax >= current) continue;
    const faults = scenario.faults.filter((event) => event.atMs < durationMs);
    const shorter: ExplicitScenario = { ...withFaults(scenario, faults), durationMs, livenessMs, workload: { ...scenario.workload, opsMax } };
    if (scenario.stopAtMs !== undefined) shorter.stopAtMs = Math.max(1, Math.floor((scenario.stopAtMs * numerator) / denominator));
    yield {
      scenario: shorter,
      step: `run cut to ${numerator}/${denominator}: safety ${durationMs} ms, liveness ${livenessMs} ms, ops at most ${opsMax}`,
    };
  }
}

/**
 * Compresses the whole run in time: phases, the cut, every fault's start and length, and the op
 * budget, all by the same factor. Ops keep their density and faults their place among them, so a
 * bug that needs a certain amount of history before a certain fault may still show, with fewer ops.
 */
function* scaleCandidates(scenario: ExplicitScenario, ops: number): Generator<Candidate> {
  const current = Math.min(scenario.workload.opsMax, ops);
  for (const [numerator, denominator] of [[1, 2], [2, 3], [4, 5]] as const) {
    const opsMax = Math.ceil((current * numerator) / denominator);
    if (opsMax < 1 || opsMax >= current) continue;
    const scaled = compressed(scenario, numerator, denominator);
    yield { scenario: { ...scaled, workload: { ...scenario.workload, opsMax } }, step: `time and ops scaled by ${numerator}/${denominator}: ops at most ${opsMax}` };
  }
}

/**
 * The same schedule with a mix option at its floor (reads left out), under this seed and then
 * others: a failure that needs many state changes (a compaction, say) reaches them in fewer ops
 * when every op changes state.
 */
function* mixCandidates(scenario: ExplicitScenario, seed: number, options: readonly OptionShrink[], offsets: readonly number[]): Generator<Candidate> {
  for (const option of options) {
    if (option.sideways !== true || scenario.workload[option.field] === option.floor) continue;
    const simpler = { ...scenario, workload: { ...scenario.workload, [option.field]: option.floor } };
    for (const offset of offsets) {
      const next = seed + offset;
      if (!Number.isSafeInteger(next)) return;
      yield { scenario: simpler, seed: next, sideways: true, step: offset === 0 ? option.label : `${option.label}, seed ${seed} -> ${next}` };
    }
  }
}

/** Each knob back to its default (the failure may not need it). */
function* knobCandidates(scenario: ExplicitScenario): Generator<Candidate> {
  const knobs = scenario.knobs ?? {};
  for (const [name, value] of Object.entries(knobs)) {
    const { [name]: _dropped, ...rest } = knobs;
    const { knobs: _all, ...without } = scenario;
    yield { scenario: Object.keys(rest).length === 0 ? without : { ...without, knobs: rest }, step: `knob ${name}=${value} -> default` };
  }
}

/** Counts toward their floor: straight there, or one less. */
function* countCandidates(scenario: ExplicitScenario, options: readonly OptionShrink[]): Generator<Candidate> {
  for (const option of options) {
    if (option.sideways === true) continue;
    const value = scenario.workload[option.field];
    if (typeof value !== 'number') continue;
    for (const target of new Set([option.floor, value - 1])) {
      if (target < option.floor || target >= value) continue;
      yield { scenario: { ...scenario, workload: { ...scenario.workload, [option.field]: target } }, step: `${option.label} ${value} -> ${target}` };
    }
  }
}

/** The run compressed in time by numerator/denominator: phases, cut, every fault's start and length. */
function compressed(scenario: ExplicitScenario, numerator: number, denominator: number): ExplicitScenario {
  const scale = (ms: number) => Math.max(1, Math.floor((ms * numerator) / denominator));
  const faults = scenario.faults.map((event) => {
    const moved = { ...event, atMs: Math.floor((event.atMs * numerator) / denominator) } as FaultEvent;
    if (event.durationMs !== undefined) moved.durationMs = scale(event.durationMs);
    return moved;
  });
  const result: ExplicitScenario = {
    ...withFaults(scenario, faults),
    durationMs: scale(scenario.durationMs),
    livenessMs: Math.floor((scenario.livenessMs * numerator) / denominator),
  };
  if (scenario.stopAtMs !== undefined) result.stopAtMs = scale(scenario.stopAtMs);
  return result;
}

/**
 * The same schedule with far fewer ops under other seeds, both spread over the whole run (sparse)
 * and with the run compressed so the ops keep their density (dense): a bug that needs a rare
 * interleaving is often found again at a small size under another seed, and a capsule is a
 * scenario plus whatever seed makes it fail. `offsets` are the seed offsets to try.
 */
function* reseedCandidates(
  scenario: ExplicitScenario,
  ops: number,
  seed: number,
  targets: readonly number[],
  offsets: Iterable<number>,
  options: readonly OptionShrink[],
): Generator<Candidate> {
  const current = Math.min(ops, scenario.workload.opsMax);
  // The whole run again (no cut): with fewer ops spread over it, a cut would leave almost none.
  const { stopAtMs: _cut, ...uncut } = scenario;
  for (const offset of offsets) {
    const next = seed + offset;
    if (!Number.isSafeInteger(next)) return;
    for (const opsMax of targets) {
      if (opsMax >= current) continue;
      const dense = compressed(uncut, Math.max(opsMax, 1), Math.max(current, 1));
      // As it is and then with each mix option at its floor (reads left out): a bug that needs
      // many state changes needs them in few ops.
      const mixes = options.filter((option) => option.sideways === true && scenario.workload[option.field] !== option.floor);
      for (const mix of [null, ...mixes]) {
        const workload = { ...scenario.workload, opsMax, ...(mix === null ? {} : { [mix.field]: mix.floor }) };
        const reads = mix === null ? '' : `, ${mix.label}`;
        yield { scenario: { ...uncut, workload }, seed: next, sideways: true, step: `seed ${seed} -> ${next} with ops at most ${opsMax}${reads}` };
        yield { scenario: { ...dense, workload }, seed: next, sideways: true, step: `seed ${seed} -> ${next} with ops at most ${opsMax}${reads}, run compressed ${opsMax}/${current}` };
      }
    }
  }
}

function* range(from: number, to: number): Generator<number> {
  for (let value = from; value <= to; value++) yield value;
}

/**
 * Shrinks `original` (a failing run) with `run`, which runs an explicit scenario with a seed (the
 * original's, or another the reseed pass tries). Deterministic: the same inputs give the same result.
 */
export function shrinkRun(original: RunResult, run: (scenario: ExplicitScenario, seed: number) => RunResult, options: ShrinkOptions): ShrinkResult {
  if (original.violation === null) throw new Error('shrinkRun: the original run did not fail');
  if (!(Number.isSafeInteger(options.runsMax) && options.runsMax >= 0)) throw new Error(`shrinkRun: bad runsMax ${options.runsMax}`);
  const target = targetViolation(original);
  const optionMoves = options.options ?? [];
  let best = original;
  let runs = 0;
  const steps: string[] = [];
  const passes: ((scenario: ExplicitScenario, ops: number, seed: number) => Iterable<Candidate>)[] = [
    (scenario) => durationCandidates(scenario),
    (scenario) => cutCandidates(scenario),
    (scenario) => shiftCandidates(scenario),
    (scenario, ops) => truncateCandidates(scenario, ops),
    (scenario, ops) => scaleCandidates(scenario, ops),
    (scenario, ops) => opsCandidates(scenario, ops),
    (scenario, ops) => clientCandidates(scenario, ops),
    (scenario) => nodeCandidates(scenario, options.nodesMin),
    (scenario) => countCandidates(scenario, optionMoves),
    (scenario) => knobCandidates(scenario),
    (scenario, _ops, seed) => mixCandidates(scenario, seed, optionMoves, [...range(0, RESEEDS)]),
    (scenario) => faultLengthCandidates(scenario, options.instantKinds),
    (scenario) => livenessCandidates(scenario),
    (scenario, ops, seed) => reseedCandidates(scenario, ops, seed, RESEED_OPS, range(1, RESEEDS), optionMoves),
  ];
  /** The failing `result` cut as short as cuts go while it still fails, with the cuts made. */
  const cutDown = (result: RunResult): { result: RunResult; cuts: string[] } => {
    const cuts: string[] = [];
    let shorter = true;
    while (shorter && runs < options.runsMax) {
      shorter = false;
      for (const candidate of cutCandidates(result.scenario)) {
        if (runs >= options.runsMax) break;
        runs++;
        const cut = run(candidate.scenario, result.seed);
        if (!sameViolation(target, cut)) continue;
        result = cut;
        cuts.push(candidate.step);
        shorter = true;
        break;
      }
    }
    return { result, cuts };
  };
  const attempt = (candidate: Candidate): boolean => {
    runs++;
    let result = run(candidate.scenario, candidate.seed ?? best.seed);
    if (!sameViolation(target, result)) return false;
    const taken = [candidate.step];
    if (!smaller(runSize(result, optionMoves), runSize(best, optionMoves)) && candidate.sideways === true) {
      const cut = cutDown(result);
      result = cut.result;
      taken.push(...cut.cuts);
    }
    if (!smaller(runSize(result, optionMoves), runSize(best, optionMoves))) return false;
    best = result;
    steps.push(...taken);
    return true;
  };
  /**
   * Zeller's ddmin over the fault events, complements only: split the events into `chunks` parts
   * and drop one part at a time; after a success keep the granularity (minus one), after a round
   * without one double it, until single events have been tried.
   */
  const ddminEvents = (): boolean => {
    let any = false;
    if (best.scenario.faults.length > 0 && runs < options.runsMax) {
      if (attempt({ scenario: withFaults(best.scenario, []), step: `fault events ${best.scenario.faults.length} -> 0` })) return true;
    }
    let chunks = 2;
    while (best.scenario.faults.length >= 2 && runs < options.runsMax) {
      const events = best.scenario.faults;
      const size = Math.ceil(events.length / chunks);
      let removed = false;
      for (let start = 0; start < events.length && runs < options.runsMax; start += size) {
        const kept = [...events.slice(0, start), ...events.slice(start + size)];
        if (attempt({ scenario: withFaults(best.scenario, kept), step: `fault events ${events.length} -> ${kept.length}` })) {
          removed = true;
          any = true;
          chunks = Math.max(chunks - 1, 2);
          break;
        }
      }
      if (removed) continue;
      if (size === 1) break;
      chunks = Math.min(chunks * 2, events.length);
    }
    return any;
  };
  /**
   * Still above the op goal when nothing else shrinks: look for a seed that fails at the goal size,
   * as long as the budget lasts. A success starts the passes again on the smaller run.
   */
  const goal = options.opsGoal ?? OPS_GOAL_DEFAULT;
  const hunt = (): boolean => {
    // A run that invoked more ops than its opsMax (a workload's own final reads, say) offers no
    // smaller op budget to try: without this the seed search below would never yield a candidate.
    if (best.ops <= goal || Math.min(best.ops, best.scenario.workload.opsMax) <= goal) return false;
    const from = best.seed;
    for (const candidate of reseedCandidates(best.scenario, best.ops, from, [goal], range(RESEEDS + 1, Number.MAX_SAFE_INTEGER - from), optionMoves)) {
      if (runs >= options.runsMax) return false;
      if (attempt(candidate)) return true;
    }
    return false;
  };
  // A failure found late (a bug switched on late, a soak's long run) first moves sooner, before
  // ddmin spends runs that each take as long as the original to reach it.
  for (let moved = true; moved && runs < options.runsMax; ) {
    moved = false;
    for (const candidate of lateCandidates(best.scenario)) {
      if (runs >= options.runsMax) break;
      if (attempt(candidate)) {
        moved = true;
        break;
      }
    }
  }
  let improved = true;
  while (improved && runs < options.runsMax) {
    improved = ddminEvents();
    for (const pass of passes) {
      // Re-run a pass while it keeps finding something smaller: ddmin restarts on the smaller input.
      let passImproved = true;
      while (passImproved && runs < options.runsMax) {
        passImproved = false;
        for (const candidate of pass(best.scenario, best.ops, best.seed)) {
          if (runs >= options.runsMax) break;
          if (attempt(candidate)) {
            passImproved = true;
            improved = true;
            break;
          }
        }
      }
    }
    if (!improved) improved = hunt();
  }
  return { result: best, runs, steps };
}
