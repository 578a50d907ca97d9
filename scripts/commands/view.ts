// `crucible view [RUN_ID]`: the terminal viewer (ink) at a terminal; without one, a plain-text
// summary of the run that starts and ends with its replay command. With --json, the same summary as
// one JSON object (or the run list, one object per line).
import { EXIT, UsageError, type Command, type CommandContext } from '../cli/command.js';
import { openRunStoreForReading } from '../cli/store-path.js';
import type { RunStore, RunVerdict } from '../../histories/store.js';
import { loadRunModel, type RunModel } from '../../ui/model/run.js';
import { formatTime } from '../../ui/model/timeline.js';
import { ViewerSession } from '../../ui/viewer/session.js';
import { runSummaryLines } from '../../ui/viewer/summary.js';
import type { ViewerProps } from '../../ui/viewer/Viewer.js';

/** The exit code a run's verdict asks for: 0 valid, 1 invalid, 3 unknown. */
export function verdictExit(verdict: RunVerdict): number {
  return verdict === 'valid' ? EXIT.OK : verdict === 'invalid' ? EXIT.VIOLATION : EXIT.UNKNOWN;
}

/** A run id from the command line, or a UsageError naming the fix. */
export function parseRunId(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^#?\d+$/.test(text)) throw new UsageError(`RUN_ID "${text}" is not a run id: give the number \`crucible runs\` lists (for example 12)`);
  const id = Number(text.replace('#', ''));
  if (!Number.isSafeInteger(id) || id < 1) throw new UsageError(`RUN_ID "${text}" is not a run id: run ids start at 1`);
  return id;
}

/** Opens the store for reading, or a UsageError when there is none at that path. */
export function openStoreOrFail(context: CommandContext): RunStore {
  const store = openRunStoreForReading(context.store);
  if (store === null) throw new UsageError(`no run store at ${context.store}: make a run first (crucible run --system raft --seed 1) or pass --store PATH`);
  return store;
}

/** The newest stored run's id, or a UsageError when the store holds none. */
export function newestRunId(store: RunStore, context: CommandContext): number {
  const newest = store.listRuns({ limit: 1 })[0];
  if (newest === undefined) throw new UsageError(`no runs stored in ${context.store}: make one first (crucible run --system raft --seed 1)`);
  return newest.id;
}

/** The run's model, or a UsageError saying how to find a run that exists. */
export function modelOrFail(store: RunStore, runId: number, context: CommandContext): RunModel {
  const model = loadRunModel(store, runId);
  if (model === undefined) throw new UsageError(`run ${runId} is not in ${context.store}: \`crucible runs\` lists the stored runs`);
  return model;
}

/** The JSON summary of a run: what the plain-text summary says, as data. */
export function runSummaryJson(model: RunModel): Record<string, unknown> {
  const run = model.run;
  const first = model.firstViolationOp === null ? null : model.timeline.ops[model.firstViolationOp]!;
  return {
    runId: run.id,
    system: run.system,
    seed: run.seed,
    verdict: run.verdict,
    repro: model.repro,
    reproLine: model.reproLine,
    ops: run.ops,
    events: run.events,
    faults: run.faults,
    simMs: run.simMs,
    fingerprint: run.fingerprint,
    bug: run.bug,
    historyKept: model.hasHistory,
    checkers: run.checkers.map((result) => ({ checker: result.checker, verdict: result.verdict, summary: result.summary })),
    faultBands: model.bands.map((band) => ({ kind: band.kind, label: band.label, startNs: band.startNs, endNs: band.endNs, open: band.open })),
    violations: model.violations.map((violation) => ({ checker: violation.checker, verdict: violation.verdict, summary: violation.summary, indexes: violation.indexes })),
    firstViolation:
      first === null
        ? null
        : { index: first.invokeIndex, process: first.process, f: first.f, key: first.key ?? null, value: first.value ?? null, result: first.result ?? null, outcome: first.outcome, time: formatTime(first.invokeNs, model.timeline.timeUnit), node: first.node ?? null },
  };
}

async function interactive(store: RunStore, runId: number | undefined, context: CommandContext): Promise<number> {
  // React's development build checks every element and costs several times the production one per
  // frame; the viewer is a tool, not a React app under development. React reads this when loaded.
  process.env.NODE_ENV ??= 'production';
  const React = await import('react');
  const { render } = await import('ink');
  const { Viewer } = await import('../../ui/viewer/Viewer.js');
  const session = new ViewerSession(store);
  const rows = process.stdout.rows ?? 24;
  const cols = process.stdout.columns ?? 80;
  // The alternate screen keeps the person's scrollback as it was once the viewer quits.
  process.stdout.write('\u001b[?1049h\u001b[H');
  try {
    const props: ViewerProps = { session, rows: Math.max(1, rows - 1), cols, followTerminal: true, storeLabel: context.store };
    if (runId !== undefined) props.runId = runId;
    const instance = render(React.createElement(Viewer, props), { exitOnCtrlC: true, patchConsole: false });
    await instance.waitUntilExit();
  } finally {
    process.stdout.write('\u001b[?1049l');
  }
  return EXIT.OK;
}

export const command: Command = {
  name: 'view',
  summary: 'Browse stored runs: timeline, faults, evidence and trace (plain summary without a terminal)',
  usage: 'crucible view [RUN_ID] [--json]',
  flags: [],
  positionals: [{ name: 'RUN_ID', description: 'The run to open (from `crucible runs`); without it, the newest run' }],
  details: [
    'At a terminal: an ink viewer, open on RUN_ID (or the newest run); Esc goes to the run list (newest',
    'first; f filters it by system and verdict, Enter opens a run). The run screen: a timeline with a lane',
    'per client process (ok ● blue, info ▲ orange, fail ✕ pink, pending ○ grey), fault bands in the gutter,',
    'the node that served each op, each node\'s status at the cursor, the verdicts and the evidence',
    '(offending ops highlighted), and the trace around the cursor (timer ticks and heartbeat-like messages',
    'hidden until b). Keys: arrows or j/k, PgUp/PgDn, g/G, / search (ops, or the trace in the trace pane)',
    'with n/N, e first violation, Tab between panes, f filter (ops by key:K p:N node:N in the timeline,',
    'the trace by node and kind in the trace pane), b background, ? help, q quit.',
    'Without a terminal (or with --json): a summary of the run, first and last line its repro command,',
    'exiting 0 valid, 1 invalid, 3 unknown (2 when there is no such run). The viewer itself exits 0.',
    '`crucible runs` lists the stored runs.',
  ].join('\n'),
  async run(args, context) {
    if (args.positionals.length > 1) throw new UsageError(`expected at most one RUN_ID, got ${args.positionals.length}: ${args.positionals.join(' ')}`);
    const store = openStoreOrFail(context);
    try {
      // Without an id, the newest run (as the README says); the run list is one Esc away.
      const runId = parseRunId(args.positionals[0]) ?? newestRunId(store, context);
      const terminal = context.isTTY && process.stdin.isTTY === true && !context.json;
      if (!terminal) {
        const model = modelOrFail(store, runId, context);
        if (context.json) context.out(JSON.stringify(runSummaryJson(model)));
        else for (const line of runSummaryLines(model)) context.out(line);
        return verdictExit(model.run.verdict);
      }
      if (store.getRun(runId) === undefined) throw new UsageError(`run ${runId} is not in ${context.store}: \`crucible runs\` lists the stored runs`);
      return await interactive(store, runId, context);
    } finally {
      store.close();
    }
  },
};
