// What a soak adds to a run: durations a person writes (`1h`, `30m`), the progress line a terminal
// shows while hours of simulated time go by, and the shrink of a failure found late. The command
// (scripts/commands/soak.ts) wires these to the runner, the store and the capsules.
import { pluginFaultCatalog, type SystemPlugin } from '../../workloads/system.js';
import { runScenario, type RunOptions, type RunProgress, type RunResult } from './runner.js';
import { instantKindsOf, shrinkRun, type ShrinkResult } from './shrink.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds of `text`: `1h`, `30m`, `90s`, `250ms`, a plain number of ms, or parts together
 * (`1h30m`). Null when it is none of these.
 */
export function parseDurationMs(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const pattern = /(\d+)(ms|h|m|s)/gy;
  let total = 0;
  let at = 0;
  for (let match = pattern.exec(trimmed); match !== null; match = pattern.exec(trimmed)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    at = pattern.lastIndex;
  }
  return at === trimmed.length && at > 0 && Number.isSafeInteger(total) ? total : null;
}

/** `FAULT/QUIET` durations, e.g. `60s/30s`, as repeating phases; null when the text is not that. */
export function parsePhases(text: string): { faultMs: number; quietMs: number } | null {
  const parts = text.split('/');
  if (parts.length !== 2) return null;
  const faultMs = parseDurationMs(parts[0]!);
  const quietMs = parseDurationMs(parts[1]!);
  if (faultMs === null || quietMs === null || faultMs <= 0 || quietMs <= 0) return null;
  return { faultMs, quietMs };
}

/** Simulated time as a person reads it: `12m05s`, `1h00m00s`. */
export function formatSimMs(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (value: number) => String(value).padStart(2, '0');
  return h > 0 ? `${h}h${pad(m)}m${pad(s)}s` : `${m}m${pad(s)}s`;
}

function compact(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return String(value);
}

/** The one line a terminal shows during a soak: simulated time, events, ops, faults so far, memory. */
export function soakProgressLine(progress: RunProgress, rssBytes: number, wallMs: number): string {
  const percent = progress.endMs === 0 ? 100 : Math.floor((100 * progress.simMs) / progress.endMs);
  return (
    `sim ${formatSimMs(progress.simMs)}/${formatSimMs(progress.endMs)} (${percent}%)  events ${compact(progress.events)}  ` +
    `ops ${compact(progress.ops)}  faults ${progress.faults}  rss ${Math.round(rssBytes / 2 ** 20)} MB  wall ${(wallMs / 1000).toFixed(1)} s`
  );
}

/**
 * Shrinks a soak's failure. Each candidate runs with stopOnViolation, so a failure found late
 * costs the time to reach it, not the whole run; the shrinker's `bugAtMs` pass (shrink.ts) then
 * moves the bug's moment earlier, and the cuts and the shorter durations follow.
 */
export function shrinkSoak(original: RunResult, plugin: SystemPlugin, runsMax: number, options: Pick<RunOptions, 'progressEveryMs'> = {}): ShrinkResult {
  return shrinkRun(original, (scenario, seed) => runScenario(scenario, seed, { plugin, stopOnViolation: true, ...options }), {
    runsMax,
    nodesMin: plugin.nodes.min,
    instantKinds: instantKindsOf(pluginFaultCatalog(plugin)),
    options: plugin.workloads[original.scenario.workload.name]?.shrink ?? [],
  });
}
