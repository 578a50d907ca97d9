// `crucible report RUN_ID --html FILE`: one self-contained HTML file that explains a run.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EXIT, UsageError, type Command } from '../cli/command.js';
import { buildReport, loadReportInput, OPS_SHOWN_DEFAULT, OPS_SHOWN_MAX } from '../../ui/report/report.js';
import { openStoreOrFail, parseRunId, verdictExit } from './view.js';

export const command: Command = {
  name: 'report',
  summary: 'Write a self-contained HTML report of a run (topology, timeline, sequence diagram, evidence)',
  usage: 'crucible report RUN_ID --html FILE [--ops-max N] [--json]',
  flags: [
    { name: 'html', type: 'string', valueName: 'FILE', required: true, description: 'Where to write the report (one HTML file, no network needed to view it)' },
    { name: 'ops-max', type: 'int', valueName: 'N', default: OPS_SHOWN_DEFAULT, description: `Ops drawn on the timeline at most, around the first violation (1 to ${OPS_SHOWN_MAX})` },
  ],
  positionals: [{ name: 'RUN_ID', description: 'The run to report (from `crucible runs`)', required: true }],
  details: [
    'The page opens with the repro command and the violation in one sentence (for a stale read: the op',
    'that wrote the value it returned and the ops that overwrote it first), with a link that jumps to',
    'the offending op. Then: the per-key view of the linearization the checker found (its points, and a',
    'step-through of the model states up to where it got stuck); the operation timeline in proportional',
    'time with zoom (ok blue, info orange, fail pink, pending grey; every op labelled with its value);',
    'latency, throughput and node status over time with the fault bands; the cluster topology at the',
    'violation (elkjs); a message-sequence diagram around it, filtered by node and message type, with',
    'background traffic hidden until asked; the evidence; the scenario; the faults. Large runs are capped',
    'and the page says so. The folder of FILE must exist: a report is never written where it was not asked.',
    'Exit codes: the run verdict (0 valid, 1 invalid, 3 unknown); 2 bad usage (no such run, no such folder).',
  ].join('\n'),
  async run(args, context) {
    if (args.positionals.length !== 1) throw new UsageError(`expected one RUN_ID, got ${args.positionals.length === 0 ? 'none' : args.positionals.join(' ')}`);
    const runId = parseRunId(args.positionals[0])!;
    const file = args.flags.html as string;
    const opsMax = args.flags['ops-max'] as number;
    if (opsMax < 1 || opsMax > OPS_SHOWN_MAX) throw new UsageError(`--ops-max ${opsMax}: expected 1 to ${OPS_SHOWN_MAX}`);
    // A report goes where it is told or nowhere: a typo in the folder is said, not created.
    const path = resolve(file);
    const folder = dirname(path);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`--html ${file}: the folder ${folder} does not exist; create it first or choose another path`);
    const store = openStoreOrFail(context);
    let report;
    let verdict;
    let repro: string | null;
    let reproLine: string;
    try {
      const input = loadReportInput(store, runId);
      if (input === undefined) throw new UsageError(`run ${runId} is not in ${context.store}: \`crucible runs\` lists the stored runs`);
      verdict = input.model.run.verdict;
      repro = input.model.repro;
      reproLine = input.model.reproLine;
      report = await buildReport(input, { opsMax });
    } finally {
      store.close();
    }
    try {
      writeFileSync(path, report.html);
    } catch (error) {
      throw new UsageError(`--html ${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); choose a writable path`);
    }
    const bytes = Buffer.byteLength(report.html);
    if (context.json) {
      context.out(JSON.stringify({ runId, file: path, bytes, verdict, opsShown: report.opsShown, opsTotal: report.opsTotal, capped: report.capped, sequenceRows: report.sequenceRows, repro }));
    } else {
      if (verdict !== 'valid') context.out(reproLine);
      context.out(`Wrote ${path} (${(bytes / 1024).toFixed(1)} KiB): run #${runId} ${verdict}, ${report.opsShown} of ${report.opsTotal} ops drawn${report.capped ? ` (capped at ${opsMax})` : ''}, ${report.sequenceRows} trace events in the sequence diagram.`);
    }
    return verdictExit(verdict);
  },
};
