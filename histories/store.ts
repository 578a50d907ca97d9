// The run store: every run Crucible makes (simulated, on a real cluster, or an imported history)
// kept in one SQLite file, with the history, fault events and trace of the runs worth keeping.
//
// Durability choice: WAL journal with synchronous=NORMAL. In WAL mode NORMAL never corrupts the
// file and never loses a committed transaction when the *process* dies (SIGKILL, a crash, Ctrl-C):
// the commit is in the WAL before saveRun returns. Only an OS crash or power loss can roll back
// the last few commits, which costs us at most a few fuzz runs that replay from their seeds anyway.
// FULL would add an fsync per saved run, which a campaign of thousands of runs would feel.
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { OP_TYPES, type HistoryRecord, type OpType } from './schema.js';
import type { CheckerResult, FaultAction, TraceEvent } from '../nodes/host.js';
import { MIGRATIONS, SCHEMA_VERSION, migrate, readSchemaVersion } from './store-migrations.js';
import { jsonProblem } from './json-problem.js';

export type RunKind = 'sim' | 'cluster' | 'import';
export type RunVerdict = 'valid' | 'invalid' | 'unknown';

const RUN_KINDS: readonly RunKind[] = ['sim', 'cluster', 'import'];
const RUN_VERDICTS: readonly RunVerdict[] = ['valid', 'invalid', 'unknown'];

/** One checker's result as stored: the CheckerResult of nodes/host.ts. */
export type StoredCheckerResult = CheckerResult;

/** A fault action as stored (`crash.start`, `heal.start`, ...): the FaultAction of nodes/host.ts, its fields read back as any JSON (older rows, real clusters). */
export type FaultEvent = Omit<FaultAction, 'fields'> & { fields?: Readonly<Record<string, unknown>> };

/** Histories longer than this are kept in the ops table only, without the one-string blob. */
export const HISTORY_BLOB_RECORDS_MAX = 100_000;

/** One trace event as stored: the TraceEvent of nodes/host.ts. */
export type TraceEventRow = TraceEvent;

export interface NewRun {
  /** Default 'sim'. */
  kind?: RunKind;
  system: string;
  /** The root seed (a non-negative safe integer), or null for cluster and imported runs. */
  seed: number | null;
  /** The full, explicit scenario (JSON-serialisable), so the run can be made again. */
  scenario: unknown;
  /** Git commit of the code that made the run, when known. */
  codeVersion?: string | null;
  verdict: RunVerdict;
  checkers: readonly StoredCheckerResult[];
  fingerprint?: string | null;
  ops: number;
  events: number;
  simMs?: number | null;
  wallMs?: number | null;
  /** Fault events injected during the run. */
  faults: number;
  bug?: string | null;
  /** The exact command that replays the run. */
  repro?: string | null;
  tags?: readonly string[];
  notes?: string | null;
  /** Wall-clock ISO time; stored for people, never part of a fingerprint. Default: now. */
  createdAt?: string;
}

export interface StoredRun {
  id: number;
  createdAt: string;
  kind: RunKind;
  system: string;
  seed: number | null;
  scenario: unknown;
  codeVersion: string | null;
  verdict: RunVerdict;
  checkers: StoredCheckerResult[];
  fingerprint: string | null;
  ops: number;
  events: number;
  simMs: number | null;
  wallMs: number | null;
  faults: number;
  bug: string | null;
  repro: string | null;
  /** True when the history, faults and trace were saved with the run (failing runs, or on request). */
  kept: boolean;
  tags: string[];
  notes: string | null;
}

export interface RunFilter {
  system?: string;
  verdict?: string;
  kind?: RunKind;
  limit?: number;
  offset?: number;
}

export interface TraceRange {
  fromNs?: number;
  toNs?: number;
  limit?: number;
}

export interface RunParts {
  history?: readonly HistoryRecord[];
  faults?: readonly FaultEvent[];
  /** Any iterable: a spooled trace (histories/trace-spool.ts) is read back one chunk at a time. */
  trace?: Iterable<TraceEventRow>;
}

/** Anything wrong with the store file itself: one line that names the file and the way out. */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

/** A list query never returns more than this many runs at once; page with `offset`. */
export const LIST_LIMIT_MAX = 100_000;

const SQLITE_HEADER = 'SQLite format 3\u0000';
const OP_TYPE_SET: ReadonlySet<string> = new Set(OP_TYPES);

interface RunRow {
  id: number;
  created_at: string;
  kind: RunKind;
  system: string;
  seed: number | null;
  scenario: string;
  code_version: string | null;
  verdict: RunVerdict;
  checkers: string;
  fingerprint: string | null;
  ops: number;
  events: number;
  sim_ms: number | null;
  wall_ms: number | null;
  faults: number;
  bug: string | null;
  repro: string | null;
  kept: number;
  tags: string;
  notes: string | null;
}

interface OpRow {
  idx: number;
  process: number;
  type: OpType;
  f: string;
  key: string | null;
  value: string | null;
  time: number | null;
  node: string | null;
}

interface EventRow {
  time: number;
  node?: string | null;
  kind: string;
  fields: string | null;
}

/** Every table the current schema has; a store missing one was damaged (or edited by hand). */
const TABLES: readonly string[] = ['meta', 'runs', 'ops', 'history_blobs', 'fault_events', 'trace'];

/** How to get back what a damaged store still holds, for the messages that refuse it. */
function recoverHint(path: string): string {
  return `recover what can be read with \`sqlite3 ${path} .recover | sqlite3 ${path}.recovered\` and pass --store ${path}.recovered`;
}

/** A JSON cell as saveRun wrote it; one that does not parse means the file was damaged, said as such. */
function cell<T>(text: string, where: string, path: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new StoreError(`${path}: ${where} is not valid JSON (${jsonProblem(error)}): the file was damaged or edited; ${recoverHint(path)}`);
  }
}

function notAStore(path: string, reason: string): StoreError {
  return new StoreError(`${path} is not a Crucible run store (${reason}): move it aside or pass --store`);
}

/** Reads the first bytes without SQLite, so a foreign file is refused before anything can write to it. */
function looksLikeSqlite(path: string): boolean {
  if (statSync(path).size === 0) return true;
  const header = new Uint8Array(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    const read = readSync(fd, header, 0, header.length, 0);
    return read === header.length && String.fromCharCode(...header) === SQLITE_HEADER;
  } finally {
    closeSync(fd);
  }
}

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new StoreError(`run.${name} must be a non-negative integer, got ${value}`);
  }
}

function assertTime(where: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new StoreError(`${where}: time must be non-negative integer nanoseconds, got ${value}`);
  }
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function rowToRun(row: RunRow, path: string): StoredRun {
  return {
    id: row.id,
    createdAt: row.created_at,
    kind: row.kind,
    system: row.system,
    seed: row.seed,
    scenario: cell<unknown>(row.scenario, `run ${row.id} scenario`, path),
    codeVersion: row.code_version,
    verdict: row.verdict,
    checkers: cell<StoredCheckerResult[]>(row.checkers, `run ${row.id} checkers`, path),
    fingerprint: row.fingerprint,
    ops: row.ops,
    events: row.events,
    simMs: row.sim_ms,
    wallMs: row.wall_ms,
    faults: row.faults,
    bug: row.bug,
    repro: row.repro,
    kept: row.kept === 1,
    tags: cell<string[]>(row.tags, `run ${row.id} tags`, path),
    notes: row.notes,
  };
}

function rowToRecord(row: OpRow, path: string): HistoryRecord {
  // SQL NULL is an absent value; JSON null is stored as the text 'null'.
  const value = row.value === null ? undefined : cell<unknown>(row.value, `op ${row.idx} value`, path);
  const record: HistoryRecord = { index: row.idx, process: row.process, type: row.type, f: row.f, value };
  if (row.key !== null) record.key = row.key;
  if (row.time !== null) record.time = row.time;
  if (row.node !== null) record.node = row.node;
  return record;
}

export class RunStore {
  private readonly insertRun: Database.Statement;
  private readonly insertOp: Database.Statement;
  private readonly insertHistoryBlob: Database.Statement;
  private readonly insertFault: Database.Statement;
  private readonly insertTrace: Database.Statement;
  private readonly saveTransaction: (run: NewRun, parts: RunParts) => number;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    readonly readonly: boolean,
  ) {
    // Prepared once and reused: one statement per table keeps a 100k-op insert well under a second.
    // A read-only connection may prepare them; assertWritable stops it from running them.
    this.insertRun = db.prepare(`
      INSERT INTO runs (created_at, kind, system, seed, scenario, code_version, verdict, checkers,
                        fingerprint, ops, events, sim_ms, wall_ms, faults, bug, repro, kept, tags, notes)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertOp = db.prepare(`
      INSERT INTO ops (run_id, idx, process, type, f, key, value, time, node) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertHistoryBlob = db.prepare(`INSERT INTO history_blobs (run_id, records) VALUES (?, ?)`);
    this.insertFault = db.prepare(`INSERT INTO fault_events (run_id, seq, time, kind, fields) VALUES (?, ?, ?, ?, ?)`);
    this.insertTrace = db.prepare(`INSERT INTO trace (run_id, seq, time, node, kind, fields) VALUES (?, ?, ?, ?, ?, ?)`);
    this.saveTransaction = db.transaction((run: NewRun, parts: RunParts) => this.insertAll(run, parts));
  }

  /**
   * Opens (and when writable creates, with its directory) the store at `path`. An older store is
   * migrated; a newer one, or a file that is not ours, is refused with a StoreError and left as it is.
   */
  static open(path: string, options: { readonly?: boolean } = {}): RunStore {
    const file = resolve(path);
    const readonly = options.readonly ?? false;
    if (existsSync(file)) {
      if (!statSync(file).isFile()) throw notAStore(path, 'it is not a regular file');
      if (!looksLikeSqlite(file)) throw notAStore(path, 'it is not an SQLite database');
    } else if (readonly) {
      throw new StoreError(`${path} does not exist: run a command that stores runs first, or pass --store`);
    } else {
      mkdirSync(dirname(file), { recursive: true });
    }

    let db: Database.Database;
    try {
      db = new Database(file, { readonly, fileMustExist: readonly });
    } catch (error) {
      throw notAStore(path, (error as Error).message);
    }
    try {
      let version: number;
      try {
        // Only reads until the file is known to be ours: even switching to WAL rewrites its header.
        version = readSchemaVersion(db);
        if (version === 0) {
          const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get() as { n: number };
          if (tables.n > 0) throw new Error('it has tables but no Crucible schema version');
        }
      } catch (error) {
        throw notAStore(path, (error as Error).message);
      }
      if (version > SCHEMA_VERSION) {
        throw new StoreError(
          `${path} was written by a newer Crucible (store version ${version}; this one knows up to ${SCHEMA_VERSION}): ` +
            'upgrade Crucible or pass --store with another file',
        );
      }
      db.pragma('foreign_keys = ON');
      if (!readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      }
      if (version < SCHEMA_VERSION) {
        if (readonly) {
          throw new StoreError(
            `${path} is at store version ${version} and needs upgrading to ${SCHEMA_VERSION}: ` +
              'run a command that writes to it (crucible run) first',
          );
        }
        migrate(db, MIGRATIONS);
      }
      const tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((row) => row.name));
      const missing = TABLES.filter((table) => !tables.has(table));
      if (missing.length > 0) throw new StoreError(`${path} lacks the table${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: the store was damaged; ${recoverHint(path)}`);
      if (!readonly) {
        // Writing into a damaged file can spread the damage to runs that are still whole: refuse.
        const check = db.pragma('quick_check(1)', { simple: true });
        if (check !== 'ok') throw new StoreError(`${path} fails SQLite's integrity check (${String(check).replace(/\s+/g, ' ').slice(0, 120)}): refusing to write to it; ${recoverHint(path)}`);
      }
      return new RunStore(db, path, readonly);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Saves a run and its parts in one transaction: afterwards the store has all of it or none. */
  saveRun(run: NewRun, parts: RunParts = {}): number {
    this.assertWritable();
    return this.saveTransaction(run, parts);
  }

  getRun(id: number): StoredRun | undefined {
    this.assertOpen();
    const row = this.db.prepare(`SELECT * FROM runs WHERE id = ?`).get(id) as RunRow | undefined;
    return row === undefined ? undefined : rowToRun(row, this.path);
  }

  /** Newest first. */
  listRuns(filter: RunFilter = {}): StoredRun[] {
    this.assertOpen();
    const limit = filter.limit ?? LIST_LIMIT_MAX;
    const offset = filter.offset ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_LIMIT_MAX) {
      throw new StoreError(`listRuns: limit must be an integer from 1 to ${LIST_LIMIT_MAX}, got ${limit}`);
    }
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new StoreError(`listRuns: offset must be a non-negative integer, got ${offset}`);
    }
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.system !== undefined) {
      where.push('system = ?');
      params.push(filter.system);
    }
    if (filter.verdict !== undefined) {
      where.push('verdict = ?');
      params.push(filter.verdict);
    }
    if (filter.kind !== undefined) {
      where.push('kind = ?');
      params.push(filter.kind);
    }
    const sql =
      `SELECT * FROM runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ` + `ORDER BY id DESC LIMIT ? OFFSET ?`;
    const rows = this.db.prepare(sql).all(...params, limit, offset) as RunRow[];
    return rows.map((row) => rowToRun(row, this.path));
  }

  /**
   * Seeds of the runs carrying `tag` and not `without` (a campaign's runs, its shrink runs left
   * out), with their verdicts: what a resumed campaign need not run again.
   */
  seedsTagged(tag: string, without: string): Map<number, RunVerdict> {
    this.assertOpen();
    // Tags are a JSON array of strings: a tag is matched with its quotes, so `a` never matches `ab`.
    const rows = this.db
      .prepare(`SELECT seed, verdict, tags FROM runs WHERE seed IS NOT NULL AND instr(tags, ?) > 0 ORDER BY id`)
      .all(JSON.stringify(tag)) as { seed: number; verdict: RunVerdict; tags: string }[];
    const seeds = new Map<number, RunVerdict>();
    for (const row of rows) {
      const tags = cell<string[]>(row.tags, `a run's tags`, this.path);
      if (tags.includes(tag) && !tags.includes(without)) seeds.set(row.seed, row.verdict);
    }
    return seeds;
  }

  /** The run's history in index order; empty when the run was not kept. */
  history(id: number): HistoryRecord[] {
    this.assertOpen();
    const blob = this.db.prepare(`SELECT records FROM history_blobs WHERE run_id = ?`).get(id) as { records: string } | undefined;
    if (blob !== undefined) return cell<HistoryRecord[]>(blob.records, `run ${id} history`, this.path);
    const rows = this.db
      .prepare(`SELECT idx, process, type, f, key, value, time, node FROM ops WHERE run_id = ? ORDER BY idx`)
      .all(id) as OpRow[];
    return rows.map((row) => rowToRecord(row, this.path));
  }

  faults(id: number): FaultEvent[] {
    this.assertOpen();
    const rows = this.db
      .prepare(`SELECT time, kind, fields FROM fault_events WHERE run_id = ? ORDER BY seq`)
      .all(id) as EventRow[];
    return rows.map((row) => {
      const event: FaultEvent = { time: row.time, kind: row.kind };
      if (row.fields !== null) event.fields = cell<Record<string, unknown>>(row.fields, `run ${id} fault fields`, this.path);
      return event;
    });
  }

  /** Trace events in the order they happened, optionally within [fromNs, toNs] and at most `limit`. */
  trace(id: number, range: TraceRange = {}): TraceEventRow[] {
    this.assertOpen();
    const limit = range.limit ?? -1;
    if (limit !== -1 && (!Number.isSafeInteger(limit) || limit < 1)) {
      throw new StoreError(`trace: limit must be a positive integer, got ${limit}`);
    }
    const rows = this.db
      .prepare(
        `SELECT time, node, kind, fields FROM trace
         WHERE run_id = ? AND time >= ? AND time <= ? ORDER BY seq LIMIT ?`,
      )
      .all(id, range.fromNs ?? 0, range.toNs ?? Number.MAX_SAFE_INTEGER, limit) as EventRow[];
    return rows.map((row) => {
      const event: TraceEventRow = { time: row.time, node: row.node ?? null, kind: row.kind };
      if (row.fields !== null) event.fields = cell<TraceEventRow['fields']>(row.fields, `run ${id} trace fields`, this.path);
      return event;
    });
  }

  /** How many runs the store holds. */
  countRuns(): number {
    this.assertOpen();
    return (this.db.prepare(`SELECT count(*) AS n FROM runs`).get() as { n: number }).n;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private insertAll(run: NewRun, parts: RunParts): number {
    const kind = run.kind ?? 'sim';
    if (!RUN_KINDS.includes(kind)) throw new StoreError(`run.kind must be one of ${RUN_KINDS.join('|')}, got "${kind}"`);
    if (!RUN_VERDICTS.includes(run.verdict)) {
      throw new StoreError(`run.verdict must be one of ${RUN_VERDICTS.join('|')}, got "${run.verdict}"`);
    }
    if (run.system.length === 0) throw new StoreError('run.system must not be empty');
    if (run.seed !== null && (!Number.isSafeInteger(run.seed) || run.seed < 0)) {
      throw new StoreError(`run.seed must be a non-negative safe integer or null, got ${run.seed}`);
    }
    assertCount('ops', run.ops);
    assertCount('events', run.events);
    assertCount('faults', run.faults);
    const kept = parts.history !== undefined || parts.faults !== undefined || parts.trace !== undefined;

    const info = this.insertRun.run(
      run.createdAt ?? new Date().toISOString(),
      kind,
      run.system,
      run.seed,
      JSON.stringify(run.scenario ?? null),
      run.codeVersion ?? null,
      run.verdict,
      JSON.stringify(run.checkers),
      run.fingerprint ?? null,
      run.ops,
      run.events,
      run.simMs ?? null,
      run.wallMs ?? null,
      run.faults,
      run.bug ?? null,
      run.repro ?? null,
      kept ? 1 : 0,
      JSON.stringify(run.tags ?? []),
      run.notes ?? null,
    );
    const runId = Number(info.lastInsertRowid);
    if (!Number.isSafeInteger(runId) || runId < 1) throw new StoreError(`saveRun: bad run id ${runId}`);

    let indexPrevious = -1;
    for (const record of parts.history ?? []) {
      // Cheap checks only: a full zod parse of every record would cost more than the insert.
      if (!Number.isSafeInteger(record.index) || record.index <= indexPrevious) {
        throw new StoreError(`history[${record.index}]: index must increase strictly (previous ${indexPrevious})`);
      }
      if (!OP_TYPE_SET.has(record.type)) {
        throw new StoreError(`history[${record.index}]: field "type": expected one of ${OP_TYPES.join('|')}`);
      }
      if (record.time !== undefined) assertTime(`history[${record.index}]`, record.time);
      indexPrevious = record.index;
      this.insertOp.run(
        runId,
        record.index,
        record.process,
        record.type,
        record.f,
        record.key ?? null,
        jsonOrNull(record.value),
        record.time ?? null,
        record.node ?? null,
      );
    }
    // The blob is a fast path for loading; a soak's history would make it one string of tens of MB
    // (held twice while it is written), so a long history is served from the ops table alone.
    if (parts.history !== undefined && parts.history.length > 0 && parts.history.length <= HISTORY_BLOB_RECORDS_MAX) {
      this.insertHistoryBlob.run(runId, JSON.stringify(parts.history));
    }
    let seq = 0;
    for (const fault of parts.faults ?? []) {
      assertTime(`faults[${seq}]`, fault.time);
      this.insertFault.run(runId, seq, fault.time, fault.kind, jsonOrNull(fault.fields));
      seq += 1;
    }
    seq = 0;
    for (const event of parts.trace ?? []) {
      assertTime(`trace[${seq}]`, event.time);
      this.insertTrace.run(runId, seq, event.time, event.node, event.kind, jsonOrNull(event.fields));
      seq += 1;
    }
    return runId;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError(`${this.path}: the store is closed`);
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.readonly) throw new StoreError(`${this.path}: opened read-only, cannot save runs`);
  }
}
