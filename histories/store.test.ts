import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryRecord } from './schema.js';
import { RunStore, StoreError, type FaultEvent, type NewRun, type TraceEventRow } from './store.js';
import { MIGRATIONS, SCHEMA_VERSION, migrate, readSchemaVersion, type Migration } from './store-migrations.js';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'crucible-store-'));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function newRun(overrides: Partial<NewRun> = {}): NewRun {
  return {
    system: 'raft',
    seed: 42,
    scenario: { system: 'raft', nodes: 3, faults: [{ atMs: 10, kind: 'partition' }] },
    codeVersion: 'abc123',
    verdict: 'invalid',
    checkers: [
      { checker: 'linearizable', verdict: 'invalid', summary: 'read of 3 saw 2', evidence: { ops: [4, 7] } },
      { checker: 'liveness', verdict: 'valid', summary: 'progress after heal' },
    ],
    fingerprint: '0123456789abcdef',
    ops: 4,
    events: 1234,
    simMs: 5000,
    wallMs: 12.5,
    faults: 2,
    bug: 'raft.stale-local-read',
    repro: 'crucible replay 1',
    tags: ['fuzz'],
    notes: 'found by the nightly campaign',
    ...overrides,
  };
}

function history(length: number): HistoryRecord[] {
  const records: HistoryRecord[] = [];
  for (let index = 0; index < length; index += 1) {
    const invoke = index % 2 === 0;
    const record: HistoryRecord = {
      index,
      process: (index >> 1) % 7,
      type: invoke ? 'invoke' : index % 10 === 9 ? 'info' : 'ok',
      f: index % 3 === 0 ? 'write' : 'read',
      value: index % 5 === 0 ? null : { v: index, list: [index, 'x'] },
      time: index * 1000,
    };
    if (index % 4 !== 3) record.key = `k${index % 4}`;
    if (!invoke) record.node = `n${(index % 3) + 1}`;
    records.push(record);
  }
  return records;
}

const faults: FaultEvent[] = [
  { time: 1_000_000, kind: 'partition', fields: { shape: 'halves', sides: [['n1'], ['n2', 'n3']] } },
  { time: 9_000_000, kind: 'heal' },
];
const trace: TraceEventRow[] = [
  { time: 0, node: 'n1', kind: 'start' },
  { time: 500, node: 'n2', kind: 'vote', fields: { term: 2, granted: true, to: 'n1', note: null } },
  { time: 1_000_000, node: null, kind: 'fault.partition', fields: { shape: 'halves' } },
  { time: 2_000_000, node: 'n1', kind: 'leader', fields: { term: 2 } },
];

describe('RunStore', () => {
  it('round-trips a run with its history, faults and trace', () => {
    const path = join(directory, 'nested', 'dir', 'runs.db');
    const store = RunStore.open(path);
    const records = history(50);
    const run = newRun({ ops: records.length });
    const id = store.saveRun(run, { history: records, faults, trace });
    store.close();

    const reopened = RunStore.open(path, { readonly: true });
    const stored = reopened.getRun(id)!;
    expect(stored.id).toBe(id);
    expect(stored).toMatchObject({
      system: run.system,
      seed: run.seed,
      scenario: run.scenario,
      codeVersion: run.codeVersion,
      verdict: run.verdict,
      checkers: run.checkers,
      fingerprint: run.fingerprint,
      ops: run.ops,
      events: run.events,
      simMs: run.simMs,
      wallMs: run.wallMs,
      faults: run.faults,
      bug: run.bug,
      repro: run.repro,
      tags: run.tags,
      notes: run.notes,
      kind: 'sim',
      kept: true,
    });
    expect(Number.isNaN(Date.parse(stored.createdAt))).toBe(false);
    expect(reopened.history(id)).toEqual(records);
    expect(reopened.faults(id)).toEqual(faults);
    expect(reopened.trace(id)).toEqual(trace.map((event) => ({ ...event, fields: event.fields === undefined ? undefined : { ...event.fields } })));
    expect(reopened.trace(id, { fromNs: 500, toNs: 1_000_000 }).map((event) => event.kind)).toEqual(['vote', 'fault.partition']);
    expect(reopened.trace(id, { limit: 1 })).toHaveLength(1);
    expect(reopened.getRun(id + 1)).toBeUndefined();
    reopened.close();
  });

  it('keeps null apart from an absent value, and a passing run without parts is not kept', () => {
    const store = RunStore.open(join(directory, 'runs.db'));
    const records: HistoryRecord[] = [
      { index: 0, process: 0, type: 'invoke', f: 'read', value: null },
      { index: 1, process: 0, type: 'ok', f: 'read', value: undefined },
    ];
    const id = store.saveRun(newRun(), { history: records });
    const back = store.history(id);
    expect(back[0]!.value).toBeNull();
    expect(back[1]!.value).toBeUndefined();
    const passing = store.saveRun(newRun({ verdict: 'valid', seed: null, kind: 'cluster', bug: null }));
    expect(store.getRun(passing)).toMatchObject({ kept: false, seed: null, kind: 'cluster', bug: null });
    expect(store.history(passing)).toEqual([]);
    store.close();
  });

  it('lists runs newest first, filtered and paged', () => {
    const store = RunStore.open(join(directory, 'runs.db'));
    const ids: number[] = [];
    for (let seed = 0; seed < 10; seed += 1) {
      ids.push(
        store.saveRun(
          newRun({ seed, system: seed % 2 === 0 ? 'raft' : 'broker', verdict: seed % 3 === 0 ? 'valid' : 'invalid' }),
        ),
      );
    }
    expect(store.countRuns()).toBe(10);
    expect(store.listRuns().map((run) => run.id)).toEqual([...ids].reverse());
    expect(store.listRuns({ system: 'raft' }).map((run) => run.seed)).toEqual([8, 6, 4, 2, 0]);
    expect(store.listRuns({ verdict: 'valid' }).map((run) => run.seed)).toEqual([9, 6, 3, 0]);
    expect(store.listRuns({ system: 'raft', verdict: 'valid' }).map((run) => run.seed)).toEqual([6, 0]);
    expect(store.listRuns({ limit: 3, offset: 2 }).map((run) => run.seed)).toEqual([7, 6, 5]);
    expect(() => store.listRuns({ limit: 0 })).toThrow(StoreError);
    store.close();
  });

  it('saves 100k ops in one run and reads them back in order', () => {
    const store = RunStore.open(join(directory, 'runs.db'));
    const records = history(100_000);
    const id = store.saveRun(newRun({ ops: records.length }), { history: records });
    const back = store.history(id);
    expect(back).toHaveLength(records.length);
    expect(back[99_999]).toEqual(records[99_999]);
    expect(back[12_345]).toEqual(records[12_345]);
    store.close();
  });

  it('saves all of a run or none of it when a row is bad midway', () => {
    const path = join(directory, 'runs.db');
    const store = RunStore.open(path);
    const good = store.saveRun(newRun(), { history: history(10) });
    const records = history(1000);
    // A record with an index that goes backwards, after 500 good inserts.
    records[500] = { ...records[500]!, index: 3 };
    expect(() => store.saveRun(newRun({ seed: 7 }), { history: records, faults, trace })).toThrow(/index must increase/);
    const badTrace: TraceEventRow[] = [...trace, { time: -1, node: null, kind: 'x' }];
    expect(() => store.saveRun(newRun({ seed: 8 }), { history: history(10), faults, trace: badTrace })).toThrow(StoreError);
    store.close();

    // Nothing of the failed runs is left in any table, and the next id follows the good run.
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM ops WHERE run_id <> ?').get(good)).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM fault_events').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM trace').get()).toEqual({ n: 0 });
    db.close();
    const again = RunStore.open(path);
    expect(again.history(good)).toHaveLength(10);
    again.close();
  });

  it('rejects bad run fields before writing anything', () => {
    const store = RunStore.open(join(directory, 'runs.db'));
    expect(() => store.saveRun(newRun({ seed: -1 }))).toThrow(/seed/);
    expect(() => store.saveRun(newRun({ seed: 2 ** 60 }))).toThrow(/seed/);
    expect(() => store.saveRun(newRun({ ops: 1.5 }))).toThrow(/ops/);
    expect(() => store.saveRun(newRun({ verdict: 'maybe' as never }))).toThrow(/verdict/);
    expect(store.countRuns()).toBe(0);
    store.close();
  });

  it('refuses a store written by a newer version with a clear message', () => {
    const path = join(directory, 'runs.db');
    RunStore.open(path).close();
    const db = new Database(path);
    db.prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`).run(String(SCHEMA_VERSION + 1));
    db.close();
    expect(() => RunStore.open(path)).toThrow(
      new StoreError(
        `${path} was written by a newer Crucible (store version ${SCHEMA_VERSION + 1}; this one knows up to ${SCHEMA_VERSION}): upgrade Crucible or pass --store with another file`,
      ),
    );
  });

  it('says which cell of which run is damaged, and which table is missing, as a StoreError with the way out', () => {
    const path = join(directory, 'runs.db');
    const store = RunStore.open(path);
    const id = store.saveRun(newRun(), { history: history(5), faults, trace });
    store.close();
    const db = new Database(path);
    db.prepare(`UPDATE runs SET checkers = '[{"checker": "lin' WHERE id = ?`).run(id);
    db.prepare(`UPDATE trace SET fields = '{oops' WHERE run_id = ? AND kind = 'vote'`).run(id);
    db.close();
    const reopened = RunStore.open(path, { readonly: true });
    expect(() => reopened.listRuns()).toThrow(StoreError);
    expect(() => reopened.getRun(id)).toThrow(new RegExp(`runs\\.db: run ${id} checkers is not valid JSON \\(.*\\): the file was damaged or edited; recover what can be read with`));
    expect(() => reopened.trace(id)).toThrow(new RegExp(`run ${id} trace fields is not valid JSON`));
    expect(reopened.history(id)).toEqual(history(5));
    reopened.close();
    const drop = new Database(path);
    drop.exec('DROP TABLE fault_events');
    drop.close();
    for (const readonly of [false, true]) expect(() => RunStore.open(path, { readonly })).toThrow(/runs\.db lacks the table fault_events: the store was damaged; recover what can be read with `sqlite3 .*runs\.db \.recover/);
  });

  it('refuses to write into a store that fails SQLite\'s integrity check, and leaves it as it was', () => {
    const path = join(directory, 'runs.db');
    const store = RunStore.open(path);
    for (let k = 0; k < 20; k++) store.saveRun(newRun(), { history: history(200) });
    store.close();
    // Garble the middle of the file: pages of rows and indexes, past the header and the schema.
    const bytes = new Uint8Array(readFileSync(path));
    for (let at = Math.floor(bytes.length / 2); at < Math.floor(bytes.length / 2) + 4096; at++) bytes[at] = (at * 131) & 0xff;
    writeFileSync(path, bytes);
    expect(() => RunStore.open(path)).toThrow(/runs\.db (fails SQLite's integrity check \(.*\): refusing to write to it|is not a Crucible run store)/);
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
  });

  it('refuses a garbage file and leaves it exactly as it was', () => {
    const path = join(directory, 'runs.db');
    const garbage = 'this is not a database at all, just some text\n'.repeat(200);
    writeFileSync(path, garbage);
    for (const readonly of [false, true]) {
      expect(() => RunStore.open(path, { readonly })).toThrow(/runs\.db is not a Crucible run store \(.*\): move it aside or pass --store/);
    }
    expect(readFileSync(path, 'utf8')).toBe(garbage);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('refuses another program\'s SQLite database and does not add our tables to it', () => {
    const path = join(directory, 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    const before = readFileSync(path).toString('base64');
    expect(() => RunStore.open(path)).toThrow(/not a Crucible run store \(it has tables but no Crucible schema version\)/);
    expect(readFileSync(path).toString('base64')).toBe(before);
  });

  it('says a missing store does not exist when opened read-only, and does not create it', () => {
    const path = join(directory, 'missing.db');
    expect(() => RunStore.open(path, { readonly: true })).toThrow(/does not exist/);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses to save through a read-only store', () => {
    const path = join(directory, 'runs.db');
    RunStore.open(path).close();
    const store = RunStore.open(path, { readonly: true });
    expect(() => store.saveRun(newRun())).toThrow(/read-only/);
    store.close();
  });
});

describe('migrations', () => {
  it('walks a store forward through a later migration and records the version', () => {
    const path = join(directory, 'runs.db');
    const store = RunStore.open(path);
    const id = store.saveRun(newRun());
    store.close();

    const addColumn: Migration = (db) => db.exec(`ALTER TABLE runs ADD COLUMN label TEXT DEFAULT 'old'`);
    const db = new Database(path);
    expect(readSchemaVersion(db)).toBe(SCHEMA_VERSION);
    // The real list plus one more step: what the next version will look like.
    expect(migrate(db, [...MIGRATIONS, addColumn])).toBe(SCHEMA_VERSION + 1);
    expect(readSchemaVersion(db)).toBe(SCHEMA_VERSION + 1);
    expect(db.prepare('SELECT label FROM runs WHERE id = ?').get(id)).toEqual({ label: 'old' });
    // Running the migrations again is a no-op at the newest version.
    expect(migrate(db, [...MIGRATIONS, addColumn])).toBe(SCHEMA_VERSION + 1);
    db.close();
  });

  it('reads the history of a run saved before version 2 from its rows, and new runs from their blob', () => {
    const path = join(directory, 'runs.db');
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, 1));
    expect(readSchemaVersion(db)).toBe(1);
    db.close();
    // A version-1 store holds no blobs: opening migrates it, and the old run reads from its rows.
    const history = [
      { index: 0, process: 0, type: 'invoke' as const, f: 'write', value: 3, key: 'x', time: 10 },
      { index: 1, process: 0, type: 'ok' as const, f: 'write', value: 3, key: 'x', time: 20, node: 'n1' },
    ];
    const store = RunStore.open(path);
    const id = store.saveRun(newRun(), { history });
    const raw = new Database(path, { readonly: true });
    expect(readSchemaVersion(raw)).toBe(SCHEMA_VERSION);
    expect(raw.prepare('SELECT count(*) AS n FROM history_blobs WHERE run_id = ?').get(id)).toEqual({ n: 1 });
    raw.close();
    expect(store.history(id)).toEqual(history);
    // Without its blob (as a version-1 run), the same history comes back from the ops rows.
    (store as unknown as { db: Database.Database }).db.prepare('DELETE FROM history_blobs WHERE run_id = ?').run(id);
    expect(store.history(id)).toEqual(history);
    store.close();
  });

  it('a failing migration step leaves the store at its previous version', () => {
    const path = join(directory, 'runs.db');
    RunStore.open(path).close();
    const broken: Migration = (db) => {
      db.exec(`ALTER TABLE runs ADD COLUMN half TEXT`);
      throw new Error('disk on fire');
    };
    const db = new Database(path);
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow('disk on fire');
    expect(readSchemaVersion(db)).toBe(SCHEMA_VERSION);
    const columns = db.prepare(`SELECT name FROM pragma_table_info('runs')`).all() as { name: string }[];
    expect(columns.map((column) => column.name)).not.toContain('half');
    db.close();
  });
});

describe('a writer killed with SIGKILL', () => {
  it('leaves a store that opens cleanly, with every reported run whole', async () => {
    const path = join(directory, 'runs.db');
    const script = fileURLToPath(new URL('./testing/save-loop.ts', import.meta.url));
    const root = fileURLToPath(new URL('..', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, path], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const reported: { id: number; ops: number; trace: number }[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const RUNS_BEFORE_KILL = 6;
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          reported.push(JSON.parse(buffer.slice(0, newline)) as { id: number; ops: number; trace: number });
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf('\n');
        }
        if (reported.length >= RUNS_BEFORE_KILL && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', (code, signal) => {
        if (signal === 'SIGKILL') resolve();
        else reject(new Error(`save loop ended by itself (code ${code}): ${stderr}`));
      });
    });

    const store = RunStore.open(path);
    for (const run of reported) {
      const stored = store.getRun(run.id);
      expect(stored?.ops).toBe(run.ops);
      expect(store.history(run.id)).toHaveLength(run.ops);
      expect(store.trace(run.id)).toHaveLength(run.trace);
    }
    // Every run in the store, reported or caught mid-way, is whole: its counts match its rows.
    const all = store.listRuns();
    expect(all.length).toBeGreaterThanOrEqual(reported.length);
    for (const run of all) {
      expect(store.history(run.id)).toHaveLength(run.ops);
      expect(store.trace(run.id)).toHaveLength(run.events);
    }
    // And it still takes new runs.
    const id = store.saveRun(newRun());
    expect(store.getRun(id)?.seed).toBe(42);
    store.close();
  });
});
