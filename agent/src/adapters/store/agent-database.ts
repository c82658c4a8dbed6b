/**
 * The agent's one SQLite file: state, outbox, and the revision cache that lets it reconcile
 * with Git unreachable. Schema and opening live here; `SqliteAgentStore` and
 * `SqliteRevisionCache` each own their tables.
 */
import type Database from 'better-sqlite3';
import { openDatabase } from '../../../../shared/src/sqlite.js';
import { systemClock } from '../../../../shared/src/time/clock.js';
import type { Clock } from '../../../../shared/src/time/clock.js';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     applied_revision TEXT,
     desired_revision TEXT,
     health TEXT NOT NULL,
     conditions TEXT NOT NULL,
     inventory TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   -- AUTOINCREMENT: a seq is never reused even after its row is acknowledged and deleted.
   CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL CHECK (kind IN ('status', 'event')),
     at TEXT NOT NULL,
     body TEXT NOT NULL
   );`,
  `ALTER TABLE state ADD COLUMN cache_bytes INTEGER NOT NULL DEFAULT 0;
   -- Content-addressed file contents (SHA-256), shared by every revision that has them.
   CREATE TABLE blobs (
     id TEXT PRIMARY KEY,
     size INTEGER NOT NULL,
     data BLOB NOT NULL
   );
   CREATE TABLE revisions (
     sha TEXT PRIMARY KEY,
     fetched_at TEXT NOT NULL,
     file_count INTEGER NOT NULL,
     total_bytes INTEGER NOT NULL
   );
   -- The whole tree of each kept revision: path → blob.
   CREATE TABLE revision_files (
     sha TEXT NOT NULL REFERENCES revisions (sha) ON DELETE CASCADE,
     path TEXT NOT NULL,
     blob_id TEXT NOT NULL REFERENCES blobs (id),
     PRIMARY KEY (sha, path)
   ) WITHOUT ROWID;
   CREATE INDEX revision_files_blob ON revision_files (blob_id);
   -- Named pointers at revisions: the last fetched head, the last accepted directive, …
   CREATE TABLE refs (
     name TEXT PRIMARY KEY,
     sha TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );`,
  `-- What the agent last applied to each object it owns, to tell an untouched object (same desired
   -- content, same resourceVersion) without asking the API server. Rebuildable: losing it costs
   -- one dry-run per object.
   CREATE TABLE applied_objects (
     identity TEXT PRIMARY KEY,
     desired_hash TEXT NOT NULL,
     resource_version TEXT NOT NULL
   ) WITHOUT ROWID;
   ALTER TABLE state ADD COLUMN applied_at TEXT;`,
  `-- The outbox is bounded by kind (one status, a capped number of events): find each kind's rows
   -- in seq order without scanning the others.
   CREATE INDEX outbox_kind ON outbox (kind, seq);
   -- Events dropped by the cap since the hub last acknowledged a notice saying so, and the seq of
   -- the pending notice. Kept apart from the notice's body so the count survives a restart.
   CREATE TABLE outbox_drops (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     dropped INTEGER NOT NULL,
     notice_seq INTEGER NOT NULL
   );`,
  `-- The hub directive accepted last (directed mode), exactly as signed: it is written before the
   -- agent acts on it, so its seq never goes back, and it is re-checked against nothing.
   CREATE TABLE directive (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     seq INTEGER NOT NULL,
     body TEXT NOT NULL,
     accepted_at TEXT NOT NULL
   );`,
  `ALTER TABLE state ADD COLUMN drifted_objects INTEGER NOT NULL DEFAULT 0;`,
];

export interface AgentDatabase {
  db: Database.Database;
  /** Where a corrupt file was moved before this one was created, if that happened. */
  movedAside?: string;
}

export function openAgentDatabase(file: string, clock: Clock = systemClock): AgentDatabase {
  const opened = openDatabase(file, {
    owner: 'agent',
    migrations: MIGRATIONS,
    // The default for state and outbox writes; the revision cache writes with NORMAL (it can be
    // fetched again). See docs/decisions.md.
    synchronous: 'FULL',
    // Everything in the file but the unsent outbox can be rebuilt from Git and the cluster.
    onCorrupt: 'move-aside',
    clock,
  });
  if (opened.created) {
    // The hub keeps the highest seq it has seen from this cluster forever. A new database (a
    // reinstalled box, a rebuilt corrupt file) must not start again at 1, or the hub would take
    // its records for duplicates: start from the clock, in microseconds.
    opened.db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)").run(clock.now() * 1000);
  }
  return { db: opened.db, ...(opened.movedAside ? { movedAside: opened.movedAside } : {}) };
}
