// The run store's schema, as a list of migrations. Migration i takes a store from version i to
// version i + 1, so version 2 is one more function at the end of the list and every older store on
// disk walks forward through the same steps a fresh one does.
import type Database from 'better-sqlite3';

export type Migration = (db: Database.Database) => void;

const createVersion1: Migration = (db) => {
  db.exec(`
    CREATE TABLE meta (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );

    CREATE TABLE runs (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      created_at TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('sim', 'cluster', 'import')),
      system TEXT NOT NULL,
      seed INTEGER,
      scenario TEXT NOT NULL,
      code_version TEXT,
      verdict TEXT NOT NULL CHECK (verdict IN ('valid', 'invalid', 'unknown')),
      checkers TEXT NOT NULL,
      fingerprint TEXT,
      ops INTEGER NOT NULL,
      events INTEGER NOT NULL,
      sim_ms REAL,
      wall_ms REAL,
      faults INTEGER NOT NULL,
      bug TEXT,
      repro TEXT,
      kept INTEGER NOT NULL,
      tags TEXT NOT NULL,
      notes TEXT
    );
    CREATE INDEX runs_by_system ON runs (system, id);
    CREATE INDEX runs_by_verdict ON runs (verdict, id);

    CREATE TABLE ops (
      run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      idx INTEGER NOT NULL,
      process INTEGER NOT NULL,
      type TEXT NOT NULL,
      f TEXT NOT NULL,
      key TEXT,
      value TEXT,
      time INTEGER,
      node TEXT,
      PRIMARY KEY (run_id, idx)
    ) WITHOUT ROWID;

    CREATE TABLE fault_events (
      run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      time INTEGER NOT NULL,
      kind TEXT NOT NULL,
      fields TEXT,
      PRIMARY KEY (run_id, seq)
    ) WITHOUT ROWID;

    CREATE TABLE trace (
      run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      time INTEGER NOT NULL,
      node TEXT,
      kind TEXT NOT NULL,
      fields TEXT,
      PRIMARY KEY (run_id, seq)
    ) WITHOUT ROWID;
    CREATE INDEX trace_by_time ON trace (run_id, time);
  `);
};

// Version 2: each run's whole history also as one JSON array. Reading 100k rows and parsing 100k
// small values costs the viewer most of its opening time; one parse of one text is several times
// faster. The ops rows stay, for queries by column; runs saved before version 2 have no blob and
// are read from their rows.
const addHistoryBlobs: Migration = (db) => {
  db.exec(`
    CREATE TABLE history_blobs (
      run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
      records TEXT NOT NULL
    );
  `);
};

/** Index i migrates version i to version i + 1. The store's current version is the list's length. */
export const MIGRATIONS: readonly Migration[] = [createVersion1, addHistoryBlobs];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The version a store's meta table records, or 0 for a database without our tables yet. */
export function readSchemaVersion(db: Database.Database): number {
  const meta = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get();
  if (meta === undefined) return 0;
  const row = db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string } | undefined;
  if (row === undefined) return 0;
  const version = Number(row.value);
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new Error(`meta.schema_version is "${row.value}", not a positive integer`);
  }
  return version;
}

/**
 * Brings the store from its recorded version up to `migrations.length`, one step per transaction,
 * so a crash between steps leaves a store at a well-defined version. Each step takes the write lock
 * first (BEGIN IMMEDIATE) and re-reads the version under it, so two processes opening a new store
 * at once (fuzz shards, say) do not both create the tables.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const stepOnce = db.transaction((): boolean => {
    const version = readSchemaVersion(db);
    if (version > migrations.length) throw new Error(`store version ${version} is newer than ${migrations.length}`);
    if (version === migrations.length) return true;
    migrations[version]!(db);
    db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(String(version + 1));
    return false;
  });
  // One step per migration, plus the pass that finds nothing left to do.
  for (let pass = 0; pass <= migrations.length; pass += 1) {
    if (stepOnce.immediate()) return migrations.length;
  }
  throw new Error(`migrations did not reach version ${migrations.length}`);
}
