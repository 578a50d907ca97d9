// The text a person reads about one run: first a banner of every parameter the run used (drawn or
// given, VOPR style, so a report is complete on its own), then the verdict of each checker.
import type { RunResult } from './runner.js';
import type { ExplicitScenario } from './scenario.js';
import type { ScheduleCap } from './explicit.js';

/** Fault events shown one per line at most; the rest are counted. */
const FAULT_LINES_MAX = 12;

function faultCounts(scenario: ExplicitScenario): string {
  const counts = new Map<string, number>();
  for (const event of scenario.faults) counts.set(event.kind, (counts.get(event.kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => (count === 1 ? kind : `${kind}×${count}`)).join(' ');
}

function eventLine(event: ExplicitScenario['faults'][number]): string {
  const { atMs, kind, durationMs, ...rest } = event as Record<string, unknown> & { atMs: number; kind: string; durationMs?: number };
  const params = Object.entries(rest)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`)
    .join(' ');
  const span = durationMs === undefined ? '' : ` for ${durationMs} ms`;
  return `${String(atMs).padStart(7)} ms  ${kind}${params === '' ? '' : ` ${params}`}${span}`;
}

/**
 * The banner lines of a run's explicit scenario and seed; with `schedule` (a drawn schedule's cap,
 * RunResult.schedule), a line says the cap, how it follows the duration, and whether it bound.
 */
export function bannerLines(scenario: ExplicitScenario, seed: number, schedule?: ScheduleCap): string[] {
  const w = scenario.workload;
  const lines = [
    `system ${scenario.system}  seed ${seed}`,
    `  nodes         ${scenario.nodes}`,
    `  workload      ${w.name}: clients=${w.clients} opsMax=${w.opsMax} opsPerSecond=${w.opsPerSecond} keys=${w.keys} timeoutMs=${w.timeoutMs}`,
    `  phases        safety ${scenario.durationMs} ms, then liveness ${scenario.livenessMs} ms (all healed)${scenario.stopAtMs === undefined ? '' : `; run cut at ${scenario.stopAtMs} ms`}`,
    `  bug           ${scenario.bug ?? 'none'}${scenario.bug !== null && scenario.bugAtMs !== undefined ? ` (switched on at ${scenario.bugAtMs} ms)` : ''}`,
  ];
  if (scenario.phases !== undefined) {
    lines.push(`  repeating     ${scenario.phases.faultMs} ms of faults, then ${scenario.phases.quietMs} ms quiet (healed, progress judged), through the safety phase`);
  }
  if (scenario.network !== undefined) lines.push(`  network       ${JSON.stringify(scenario.network)}`);
  if (scenario.disk !== undefined) lines.push(`  disk          ${JSON.stringify(scenario.disk)}`);
  if (scenario.knobs !== undefined) lines.push(`  knobs         ${Object.entries(scenario.knobs).map(([name, value]) => `${name}=${value}`).join(' ')} (the rest at their defaults)`);
  const points = scenario.faultPoints;
  lines.push(`  fault points  ${points?.enabled === true ? `on, ${points.numerator}/${points.denominator}` : 'off'}`);
  if (scenario.swarm !== undefined) {
    const swarm = scenario.swarm;
    // Kinds with their weights on one line (kind×weight); the other draws on the next.
    const kinds = Array.isArray(swarm.kinds) ? swarm.kinds.map((kind) => `${kind}×${String(swarm[`weight.${kind}`] ?? 1)}`) : [];
    lines.push(`  swarm kinds   ${kinds.join(' ')}`);
    const rest = Object.entries(swarm)
      .filter(([key]) => key !== 'kinds' && !key.startsWith('weight.'))
      .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`);
    lines.push(`  swarm draws   ${rest.join(' ')}`);
  }
  lines.push(`  faults        ${scenario.faults.length} event${scenario.faults.length === 1 ? '' : 's'}${scenario.faults.length > 0 ? `: ${faultCounts(scenario)}` : ''}`);
  if (schedule !== undefined && schedule !== null) lines.push(`  fault cap     ${capLine(scenario, schedule)}`);
  for (const event of scenario.faults.slice(0, FAULT_LINES_MAX)) lines.push(`    ${eventLine(event)}`);
  if (scenario.faults.length > FAULT_LINES_MAX) lines.push(`    ... ${scenario.faults.length - FAULT_LINES_MAX} more`);
  return lines;
}

/** The cap of a drawn schedule: its size, the fault time it covers, where the faults end. */
function capLine(scenario: ExplicitScenario, schedule: NonNullable<ScheduleCap>): string {
  const last = scenario.faults.at(-1)?.atMs;
  const span = last === undefined ? 'none drawn' : `last starts at ${last} ms`;
  const bound = schedule.cappedAtMs === null ? 'not reached' : `REACHED at ${schedule.cappedAtMs} ms: no fault starts after it`;
  return `${schedule.eventsMax} events over ${schedule.faultMs} ms of fault time (grows with the duration); ${bound}; ${span}`;
}

/** The verdict lines: a summary line, then one line per checker. */
export function verdictLines(result: RunResult, wallMs: number): string[] {
  const width = Math.max(...result.checkers.map((checker) => checker.checker.length), 8);
  return [
    `verdict ${result.verdict}${result.violation === null ? '' : ` (${result.violation})`}${stopNote(result)}  ops ${result.ops}  faults ${result.faultEvents}  events ${result.events}  sim ${result.simMs} ms  wall ${Math.round(wallMs)} ms  fingerprint ${result.fingerprint}`,
    ...result.checkers.map((checker) => `  ${checker.checker.padEnd(width)}  ${checker.verdict.padEnd(7)}  ${checker.summary}`),
  ];
}

/** Said when the run stopped at its first violation (stopOnViolation) rather than at its end. */
function stopNote(result: RunResult): string {
  return result.stoppedAtMs === undefined || result.stoppedAtMs === null ? '' : ` stopped at ${result.stoppedAtMs} ms on the first violation`;
}
