// A scenario: everything a run needs besides its seed and the code. Files are JSON validated here;
// errors name the JSON path of the bad field. Every run records its explicit scenario (defaults
// filled in and any drawn schedule replaced by its events), so any run can become a file.
import { z } from 'zod';
import { faultEventShapeSchema, type FaultEvent } from '../../faults/events.js';
import { FaultEventError, type FaultCatalog } from '../../faults/catalog.js';
import { FAULT_EVENTS_MAX, intensitySchema, type Intensity } from '../../faults/schedule.js';
import { jsonProblem } from '../../histories/json-problem.js';

export { intensitySchema, type Intensity };

/**
 * 2: nodes' clocks start skewed and drifting (`clocks`, drawn per node from the seed). A version-1
 * scenario (every capsule written before) keeps the clocks it ran with: none skewed.
 */
export const SCENARIO_VERSION = 2;

/** The initial clock spread of version-2 scenarios that say nothing: machines without tight NTP. */
export const CLOCKS_DEFAULT = Object.freeze({ offsetMsMax: 100, driftPpmMax: 100 });
export const CLOCKS_NONE = Object.freeze({ offsetMsMax: 0, driftPpmMax: 0 });

export const clocksSchema = z
  .object({
    /** Each node's wall clock starts offset by a draw from [-offsetMsMax, offsetMsMax]. */
    offsetMsMax: z.number().int().nonnegative().max(3_600_000),
    /** Each node's clock runs fast or slow by a draw from [-driftPpmMax, driftPpmMax] parts per million. */
    driftPpmMax: z.number().int().nonnegative().max(100_000),
  })
  .strict();

/** Limits that keep one run bounded whatever a file says. */
export const SCENARIO_LIMITS = {
  nodesMax: 15,
  clientsMax: 64,
  opsMax: 1_000_000,
  faultEventsMax: FAULT_EVENTS_MAX,
  durationMsMax: 3_600_000,
} as const;

/**
 * The workload fields every workload shares. Any other field is the workload's own option (keys,
 * read mix, topics, tenants, ...), checked by its `options` schema once the system is known.
 */
export const workloadSchema = z
  .object({
    /** A workload of the system; absent means the system's default. */
    name: z.string().min(1).optional(),
    clients: z.number().int().min(1).max(SCENARIO_LIMITS.clientsMax).default(3),
    opsMax: z.number().int().min(0).max(SCENARIO_LIMITS.opsMax).default(200),
    opsPerSecond: z.number().positive().max(1_000_000).default(100),
    timeoutMs: z.number().int().positive().max(600_000).default(1_000),
  })
  .catchall(z.unknown());

/** The shared workload fields: what is left is the workload's own options. */
export const SHARED_WORKLOAD_FIELDS: readonly string[] = ['name', 'clients', 'opsMax', 'opsPerSecond', 'timeoutMs'];

const kindName = z.string().min(1);

/** A schedule still to be drawn from the seed: named kinds at an intensity, or swarm mode. */
export const faultDrawSchema = z
  .object({
    /** Kinds or groups (`partition`, `disk`, ...), or `["all"]`. Ignored by swarm mode's own draw. */
    kinds: z.array(kindName).max(64).default(['all']),
    /** Swarm mode: the seed also draws which kinds are on and how hard. */
    swarm: z.boolean().default(false),
    intensity: intensitySchema.optional(),
  })
  .strict();

export const phasesSchema = z
  .object({
    faultMs: z.number().int().positive().max(SCENARIO_LIMITS.durationMsMax),
    quietMs: z.number().int().positive().max(SCENARIO_LIMITS.durationMsMax),
  })
  .strict();

export const networkSchema = z
  .object({
    latencyUsMin: z.number().int().nonnegative().max(60_000_000).optional(),
    /** Bytes per second each directed link carries; absent: unlimited. */
    bandwidthBytesPerSecond: z.number().int().positive().max(100_000_000_000).optional(),
    latencyUsMax: z.number().int().nonnegative().max(60_000_000).optional(),
  })
  .strict()
  .refine((value) => value.latencyUsMin === undefined || value.latencyUsMax === undefined || value.latencyUsMin <= value.latencyUsMax, {
    path: ['latencyUsMin'],
    message: 'is above latencyUsMax; a range needs min <= max',
  });

export const diskSchema = z
  .object({
    fsyncUsMin: z.number().int().nonnegative().max(60_000_000).optional(),
    fsyncUsMax: z.number().int().nonnegative().max(60_000_000).optional(),
  })
  .strict()
  .refine((value) => value.fsyncUsMin === undefined || value.fsyncUsMax === undefined || value.fsyncUsMin <= value.fsyncUsMax, {
    path: ['fsyncUsMin'],
    message: 'is above fsyncUsMax; a range needs min <= max',
  });

export const faultPointsSchema = z
  .object({
    enabled: z.boolean(),
    numerator: z.number().int().nonnegative().default(1),
    denominator: z.number().int().positive().default(100),
  })
  .strict()
  .refine((value) => value.numerator <= value.denominator, {
    path: ['numerator'],
    message: 'must not exceed denominator',
  });

/** What swarm mode drew for this seed; kept so the banner and the store can show it. */
export const swarmRecordSchema = z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.array(z.string())]));

export const scenarioSchema = z
  .object({
    version: z.union([z.literal(1), z.literal(SCENARIO_VERSION)]).default(SCENARIO_VERSION),
    system: z.string().min(1),
    /** Server count: ids are n1..nK. Absent means the system's default. */
    nodes: z.number().int().min(1).max(SCENARIO_LIMITS.nodesMax).optional(),
    workload: workloadSchema.default(() => workloadSchema.parse({})),
    /** The safety phase: faults happen only in it. */
    durationMs: z.number().int().positive().max(SCENARIO_LIMITS.durationMsMax).default(10_000),
    /** The liveness phase after everything heals: the system must make progress. */
    livenessMs: z.number().int().nonnegative().max(SCENARIO_LIMITS.durationMsMax).default(5_000),
    /**
     * Ends the run early at this simulated time, every other parameter unchanged, so the run is an
     * exact prefix of the full one (the shrinker's cut). A cut run is judged for safety only: its
     * liveness phase never completes.
     */
    stopAtMs: z.number().int().positive().max(2 * SCENARIO_LIMITS.durationMsMax).optional(),
    faults: z.union([z.array(faultEventShapeSchema).max(SCENARIO_LIMITS.faultEventsMax), faultDrawSchema]).default([]),
    /**
     * The liveness phase: `heal-all` heals everything; `core` (TigerBeetle's liveness mode) heals
     * everything, then keeps a minority, drawn from the seed, crashed or cut off to the end, so
     * progress is demanded of a bare majority. The explicit scenario records the drawn faults in
     * `livenessFaults`.
     */
    livenessMode: z.enum(['heal-all', 'core']).optional(),
    /** Faults started at the heal and left on through the liveness phase (what `core` drew). */
    livenessFaults: z.array(faultEventShapeSchema).max(64).optional(),
    /** A planted bug by full name, or null. */
    bug: z.string().min(1).nullable().default(null),
    /**
     * The planted bug switches on only at this simulated time (true time, ms), so a soak can plant a
     * failure late in a long run: `host.bug(name)` answers false before it, true from it on. A node
     * that reads its switches once when it starts (Raft does) takes the bug at its first start or
     * restart from then on, as a bad release rolls out through restarts. Absent: from the start.
     */
    bugAtMs: z.number().int().nonnegative().max(2 * SCENARIO_LIMITS.durationMsMax).optional(),
    /**
     * Repeating phases through the safety phase: `faultMs` of drawn faults, then `quietMs` with
     * everything healed, again and again; each quiet window is judged for progress like the
     * liveness phase. Absent: one fault window, the whole safety phase.
     */
    phases: phasesSchema.optional(),
    /** Checker names to keep (`linearizable`, `invariants`, `assertions`, ...); absent keeps all. */
    checkers: z.array(z.string().min(1)).min(1, 'an empty list keeps no checker, so nothing would be judged; leave checkers out to keep them all').max(64).optional(),
    network: networkSchema.optional(),
    /** How far apart the nodes' clocks start; absent: CLOCKS_DEFAULT (version 2) or none (version 1). */
    clocks: clocksSchema.optional(),
    disk: diskSchema.optional(),
    faultPoints: faultPointsSchema.optional(),
    /** The system's knobs set away from their defaults (see SystemPlugin.knobs); swarm mode draws them. */
    knobs: z.record(z.string().min(1), z.number().int()).optional(),
    swarm: swarmRecordSchema.optional(),
  })
  .strict();

/** A scenario as written: the schedule may still be a draw. */
export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type WorkloadSettings = z.infer<typeof workloadSchema>;
export type FaultDraw = z.infer<typeof faultDrawSchema>;

/** A scenario with every default filled and the schedule explicit: what a run records. */
export type ExplicitScenario = Omit<Scenario, 'faults' | 'nodes' | 'workload' | 'clocks'> & {
  nodes: number;
  clocks: z.infer<typeof clocksSchema>;
  workload: WorkloadSettings & { name: string };
  faults: FaultEvent[];
};

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** `faults[2].kind` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(top level)' : text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'invalid_union') {
    // The schedule is either a list of events or a draw; say which shapes are accepted.
    return 'expected a list of fault events or a draw object {"kinds": [...], "swarm": false}';
  }
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`;
  }
  return issue.message;
}

/**
 * Validates a parsed JSON value as a scenario. `source` names the file in messages:
 * `scenario.json: faults[2].kind: unknown fault kind "partiton" (expected one of ...)`. Events are
 * checked against their kinds' schemas when the system's `catalog` is given (a run always checks
 * them, with the cluster's ids, in scripts/lab/explicit.ts).
 */
export function parseScenario(input: unknown, source = 'scenario', catalog?: FaultCatalog): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (result.success) {
    if (catalog !== undefined && isExplicitSchedule(result.data.faults)) {
      result.data.faults = result.data.faults.map((event, index) => parseFaultEvent(catalog, event, null, index, source));
    }
    return result.data;
  }
  const issue = result.error.issues[0]!;
  let path = issue.path;
  // A union failure inside a fault event reports its own path; a union failure of `faults` itself
  // is more useful when it points at the first bad event.
  if (issue.code === 'invalid_union' && issue.path.length === 1 && issue.path[0] === 'faults' && Array.isArray(valueAt(input, ['faults']))) {
    const events = valueAt(input, ['faults']) as unknown[];
    for (let index = 0; index < events.length; index++) {
      const eventResult = faultEventShapeSchema.safeParse(events[index]);
      if (!eventResult.success) {
        const inner = eventResult.error.issues[0]!;
        path = ['faults', index, ...inner.path];
        throw new ScenarioError(`${source}: ${formatPath(path)}: ${describeIssue(inner, events[index])}`);
      }
    }
  }
  throw new ScenarioError(`${source}: ${formatPath(path)}: ${describeIssue(issue, input)}`);
}

/**
 * One event checked by its kind's schema in the system's catalog (and its ids against `known`
 * when given), as a ScenarioError naming `faults[index]` and the field.
 */
export function parseFaultEvent(catalog: FaultCatalog, event: unknown, known: readonly string[] | null, index: number, source: string): FaultEvent {
  try {
    return catalog.parseEvent(event, known);
  } catch (error) {
    if (!(error instanceof FaultEventError)) throw error;
    throw new ScenarioError(`${source}: ${formatPath(['faults', index, ...error.path])}: ${error.message}`);
  }
}

/** Parses scenario file text (JSON) with the file name in every message. */
export function parseScenarioText(text: string, source: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(`${source}: not valid JSON (${jsonProblem(error)}); fix the file's syntax`);
  }
  return parseScenario(json, source);
}

/** Server ids of a scenario: n1..nK. */
export function nodeIds(count: number): string[] {
  if (!(Number.isInteger(count) && count >= 1 && count <= SCENARIO_LIMITS.nodesMax)) {
    throw new ScenarioError(`node count ${count} outside 1..${SCENARIO_LIMITS.nodesMax}`);
  }
  return Array.from({ length: count }, (_, index) => `n${index + 1}`);
}

/** True when the schedule is already a list of events. */
export function isExplicitSchedule(faults: Scenario['faults']): faults is FaultEvent[] {
  return Array.isArray(faults);
}
