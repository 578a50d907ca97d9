// What a campaign tells people and scripts: the failure lines (each starting with its repro
// command), the live progress line on a terminal, and the JSON summary of DESIGN.md.

export interface FailureReport {
  seed: number;
  violation: string;
  verdict: string;
  /** Fingerprint of the capsule's run (the shrunk one when shrinking ran). */
  fingerprint: string;
  repro: string;
  /** `file` is null past the campaign's capsule limit. */
  capsule: { file: string | null; faultEvents: number; ops: number; seed: number };
  /** The run as found, before shrinking. */
  original: { faultEvents: number; ops: number; fingerprint: string };
  shrinkRuns: number;
  summary: string;
  /** Store id of the failing run and of its shrunk run. */
  runId: number;
  shrunkRunId: number | null;
}

export interface CampaignSummary {
  system: string;
  bug: string | null;
  campaign: string;
  seedStart: number;
  /** Seeds in the campaign (all shards). */
  seeds: number;
  shard: string;
  workers: number;
  runs: number;
  valid: number;
  invalid: number;
  unknown: number;
  errors: number;
  failures: FailureReport[];
  runsPerSec: number;
  eventsPerSec: number;
  wallMs: number;
  /** CPU time of the whole process (all threads): runs per CPU second show how well workers scale on a busy machine. */
  cpuMs: number;
  stopped: string | null;
  store: string;
}

export function failureLine(failure: FailureReport): string {
  const sizes =
    failure.original.faultEvents === failure.capsule.faultEvents && failure.original.ops === failure.capsule.ops && failure.shrinkRuns === 0
      ? `${failure.capsule.faultEvents} fault events, ${failure.capsule.ops} ops`
      : `shrunk ${failure.original.faultEvents} -> ${failure.capsule.faultEvents} fault events, ${failure.original.ops} -> ${failure.capsule.ops} ops in ${failure.shrinkRuns} runs`;
  const seed = failure.capsule.seed === failure.seed ? `seed ${failure.seed}` : `seed ${failure.seed} (capsule seed ${failure.capsule.seed})`;
  return `${failure.repro}  # ${seed} ${failure.verdict} (${failure.violation}); ${sizes}; ${failure.summary}`;
}

export function progressLine(done: number, total: number, wallMs: number, events: number, failures: number): string {
  const seconds = Math.max(wallMs / 1000, 1e-9);
  return `runs ${done}/${total}  ${(done / seconds).toFixed(1)} runs/s  ${formatCount(events / seconds)} events/s  failures ${failures}`;
}

function formatCount(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return value.toFixed(0);
}

export function summaryLines(summary: CampaignSummary): string[] {
  const lines = [
    `campaign ${summary.campaign}: ${summary.system}${summary.bug === null ? '' : ` with ${summary.bug}`}, seeds ${summary.seedStart}..${summary.seedStart + summary.seeds - 1}, shard ${summary.shard}, ${summary.workers} worker${summary.workers === 1 ? '' : 's'}`,
    `runs ${summary.runs}: ${summary.valid} valid, ${summary.invalid} invalid, ${summary.unknown} unknown${summary.errors > 0 ? `, ${summary.errors} errors` : ''}; ${summary.runsPerSec.toFixed(1)} runs/s, ${formatCount(summary.eventsPerSec)} events/s, wall ${(summary.wallMs / 1000).toFixed(1)} s, cpu ${(summary.cpuMs / 1000).toFixed(1)} s`,
  ];
  if (summary.stopped === 'failure') lines.push('stopped handing out seeds after the first failure (--keep-going runs them all)');
  if (summary.stopped === 'time-limit') lines.push('stopped handing out seeds at the time limit');
  lines.push(`stored in ${summary.store}`);
  return lines;
}

/** DESIGN.md's JSON: runs, failures [{seed, violation, fingerprint, repro, capsule}], runsPerSec; then extras. */
export function summaryJson(summary: CampaignSummary): Record<string, unknown> {
  return {
    runs: summary.runs,
    failures: summary.failures.map((failure) => ({
      seed: failure.seed,
      violation: failure.violation,
      fingerprint: failure.fingerprint,
      repro: failure.repro,
      capsule: failure.capsule,
      original: failure.original,
      shrinkRuns: failure.shrinkRuns,
      verdict: failure.verdict,
      runId: failure.runId,
      shrunkRunId: failure.shrunkRunId,
    })),
    runsPerSec: Number(summary.runsPerSec.toFixed(2)),
    eventsPerSec: Math.round(summary.eventsPerSec),
    system: summary.system,
    bug: summary.bug,
    campaign: summary.campaign,
    seedStart: summary.seedStart,
    seeds: summary.seeds,
    shard: summary.shard,
    workers: summary.workers,
    valid: summary.valid,
    invalid: summary.invalid,
    unknown: summary.unknown,
    errors: summary.errors,
    wallMs: Math.round(summary.wallMs),
    cpuMs: Math.round(summary.cpuMs),
    stopped: summary.stopped,
  };
}
