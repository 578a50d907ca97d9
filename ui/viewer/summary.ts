// What `crucible view` prints without a terminal: a plain-text summary of one run, at most one line
// per event, starting and ending with the command that replays it.
import type { StoredRun } from '../../histories/store.js';
import { describeOp } from '../model/timeline.js';
import type { RunModel } from '../model/run.js';
import { formatTime } from '../model/timeline.js';
import { evidenceLines } from './evidenceLines.js';

/** Fault bands listed at most; more are counted. */
export const SUMMARY_FAULTS_MAX = 200;
/** Offending ops listed at most. */
export const SUMMARY_OPS_MAX = 50;

export function runSummaryLines(model: RunModel): string[] {
  const run = model.run;
  const lines: string[] = [model.reproLine];
  const facts = [`run #${run.id}`, `system ${run.system}`, `seed ${run.seed ?? '-'}`, `verdict ${run.verdict}`, `ops ${run.ops}`, `events ${run.events}`, `faults ${run.faults}`];
  if (run.simMs !== null) facts.push(`sim ${run.simMs}ms`);
  if (run.bug !== null) facts.push(`bug ${run.bug}`);
  if (run.fingerprint !== null) facts.push(`fingerprint ${run.fingerprint}`);
  lines.push(facts.join('  '));
  for (const result of run.checkers) lines.push(`checker ${result.checker}: ${result.verdict}: ${result.summary}`);
  const unit = model.timeline.timeUnit;
  const bands = model.bands;
  for (const band of bands.slice(0, SUMMARY_FAULTS_MAX)) {
    const end = band.endNs === null ? '' : ` until ${formatTime(band.endNs, unit)}${band.open ? ' (end of run)' : ''}`;
    lines.push(`fault ${formatTime(band.startNs, unit)}${end}: ${band.label}`);
  }
  if (bands.length > SUMMARY_FAULTS_MAX) lines.push(`… ${bands.length - SUMMARY_FAULTS_MAX} more faults`);
  if (!model.hasHistory) lines.push('history not stored for this run (passing runs keep only their verdicts); replay it to see it');
  if (model.violations.length > 0) {
    for (const line of evidenceLines(model.violations)) lines.push(`evidence ${line.text.trimStart()}`);
    const ops = model.highlighted.slice(0, SUMMARY_OPS_MAX);
    for (const id of ops) {
      const op = model.timeline.ops[id]!;
      lines.push(`offending op ${formatTime(op.invokeNs, unit)} #${op.invokeIndex} ${describeOp(op)}${op.node !== undefined ? ` @${op.node}` : ''}`);
    }
    if (model.highlighted.length > ops.length) lines.push(`… ${model.highlighted.length - ops.length} more offending ops`);
  }
  lines.push(model.reproLine);
  return lines;
}

/** The run list without a terminal: one line per run. */
export function runListLines(runs: readonly StoredRun[]): string[] {
  return runs.map((run) => `#${run.id} ${run.createdAt.slice(0, 19).replace('T', ' ')} ${run.system} seed ${run.seed ?? '-'} ${run.verdict} ops ${run.ops} faults ${run.faults}${run.bug !== null ? ` bug ${run.bug}` : ''}`);
}
