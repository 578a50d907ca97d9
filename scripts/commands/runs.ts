// `crucible runs [--system S] [--verdict V] [--limit N] [--offset K]`: the stored runs, newest first, a page at a time.
import { EXIT, UsageError, type Command } from '../cli/command.js';
import type { StoredRun } from '../../histories/store.js';
import { reproOf } from '../../ui/model/run.js';
import { openStoreOrFail } from './view.js';

const VERDICTS = ['valid', 'invalid', 'unknown'] as const;
export const RUNS_LIMIT_MAX = 10_000;

/** What `runs --json` prints per run: the stored run without its bulky scenario and evidence. */
export function runSummary(run: StoredRun): Record<string, unknown> {
  return {
    runId: run.id,
    createdAt: run.createdAt,
    kind: run.kind,
    system: run.system,
    seed: run.seed,
    verdict: run.verdict,
    checkers: run.checkers.map((result) => ({ checker: result.checker, verdict: result.verdict, summary: result.summary })),
    ops: run.ops,
    events: run.events,
    faults: run.faults,
    simMs: run.simMs,
    wallMs: run.wallMs,
    fingerprint: run.fingerprint,
    bug: run.bug,
    codeVersion: run.codeVersion,
    kept: run.kept,
    repro: reproOf(run),
  };
}

/** One line a person scans: id, when, what, verdict and how to get it back. */
export function runLine(run: StoredRun): string {
  const parts = [
    `#${run.id}`.padEnd(6),
    run.createdAt.slice(0, 19).replace('T', ' '),
    run.kind.padEnd(7),
    run.system.padEnd(10),
    `seed ${run.seed ?? '-'}`.padEnd(16),
    run.verdict.padEnd(7),
    `ops ${run.ops}`.padEnd(10),
    `faults ${run.faults}`.padEnd(10),
  ];
  if (run.bug !== null) parts.push(`bug ${run.bug}`);
  if (run.fingerprint !== null) parts.push(`fp ${run.fingerprint}`);
  return parts.join(' ').trimEnd();
}

export const command: Command = {
  name: 'runs',
  summary: 'List stored runs, newest first',
  usage: 'crucible runs [--system S] [--verdict valid|invalid|unknown] [--limit N] [--offset K] [--json]',
  flags: [
    { name: 'system', type: 'string', valueName: 'S', description: 'Only runs of this system' },
    { name: 'verdict', type: 'string', valueName: 'V', description: 'Only runs with this verdict: valid, invalid or unknown' },
    { name: 'limit', type: 'int', valueName: 'N', default: 20, description: `At most N runs (1 to ${RUNS_LIMIT_MAX})` },
    { name: 'offset', type: 'int', valueName: 'K', default: 0, description: 'Skip the K newest matching runs first (the next page)' },
  ],
  details: [
    'Reads the run store (--store); a store that does not exist is an error (exit 2), never created.',
    'With --json: one object per line, newest first, with runId,',
    'system, seed, verdict, checkers, ops, events, faults, fingerprint and repro.',
    'A full page ends with the flags of the next one (`--offset K`); any store pages to its end.',
    'Open a run with `crucible view RUN_ID` or `crucible report RUN_ID --html FILE`.',
  ].join('\n'),
  async run(args, context) {
    const verdict = args.flags.verdict as string | undefined;
    if (verdict !== undefined && !(VERDICTS as readonly string[]).includes(verdict)) {
      throw new UsageError(`--verdict ${verdict}: expected one of ${VERDICTS.join(', ')}`);
    }
    const limit = args.flags.limit as number;
    if (limit < 1 || limit > RUNS_LIMIT_MAX) throw new UsageError(`--limit ${limit}: expected 1 to ${RUNS_LIMIT_MAX}; page further with --offset`);
    const offset = args.flags.offset as number;
    if (offset < 0) throw new UsageError(`--offset ${offset}: expected 0 or more runs to skip`);
    // A read-only command: a store that is not there is said (a typo in --store must not look like
    // an empty store), and never created.
    const store = openStoreOrFail(context);
    try {
      const filter: { system?: string; verdict?: string; limit: number; offset: number } = { limit, offset };
      if (args.flags.system !== undefined) filter.system = args.flags.system as string;
      if (verdict !== undefined) filter.verdict = verdict;
      const runs = store.listRuns(filter);
      for (const run of runs) context.out(context.json ? JSON.stringify(runSummary(run)) : runLine(run));
      if (runs.length === 0 && !context.json) context.out(offset > 0 ? `No runs match past the first ${offset}.` : 'No runs match.');
      // A person is told where the next page starts; a script pages by itself (it asked for N).
      if (runs.length === limit && !context.json) context.out(`(more may follow: --offset ${offset + limit})`);
      return EXIT.OK;
    } finally {
      store.close();
    }
  },
};
