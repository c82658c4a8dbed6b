/**
 * The hub's SQLite file: one database for the fleet (clusters, status, events, directives),
 * rollouts (plans, per-cluster progress, audit log) and operator API tokens, so a rollout step
 * and the directives it issues commit together. Versioned migrations; WAL.
 */
import type Database from 'better-sqlite3';
import { openDatabase } from '../../../../shared/src/sqlite.js';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE clusters (
     id TEXT PRIMARY KEY,
     labels TEXT NOT NULL,
     token_hash TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE cluster_state (
     cluster_id TEXT PRIMARY KEY REFERENCES clusters (id) ON DELETE CASCADE,
     last_seq INTEGER NOT NULL DEFAULT 0,
     presence TEXT NOT NULL DEFAULT 'unknown',
     presence_at TEXT,
     agent_version TEXT,
     status TEXT,
     status_at TEXT
   );
   CREATE TABLE events (
     cluster_id TEXT NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     at TEXT NOT NULL,
     reason TEXT NOT NULL,
     message TEXT NOT NULL,
     severity TEXT NOT NULL,
     PRIMARY KEY (cluster_id, seq)
   );`,
  `-- The directive each cluster was last given, as signed. The seq of a cluster's first directive
   -- is the clock in milliseconds, so a hub rebuilt from an empty database still issues seqs above
   -- any its agents accepted before.
   CREATE TABLE directives (
     cluster_id TEXT PRIMARY KEY REFERENCES clusters (id) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     body TEXT NOT NULL,
     issued_at TEXT NOT NULL
   );`,
  `CREATE TABLE rollouts (
     id TEXT PRIMARY KEY,
     plan TEXT NOT NULL,
     revision TEXT NOT NULL,
     status TEXT NOT NULL,
     reason TEXT,
     wave INTEGER NOT NULL,
     wave_started_at INTEGER NOT NULL,
     acknowledged TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     -- Who started it: an operator, or a commit seen on the watched branch.
     origin TEXT NOT NULL
   );
   CREATE INDEX rollouts_status ON rollouts (status);
   CREATE TABLE rollout_clusters (
     rollout_id TEXT NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
     cluster_id TEXT NOT NULL,
     wave INTEGER NOT NULL,
     phase TEXT NOT NULL,
     previous_revision TEXT,
     directive_seq INTEGER,
     directed_at INTEGER,
     healthy_since INTEGER,
     reason TEXT,
     PRIMARY KEY (rollout_id, cluster_id)
   ) WITHOUT ROWID;
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     rollout_id TEXT,
     cluster_id TEXT,
     action TEXT NOT NULL,
     message TEXT NOT NULL
   );
   CREATE INDEX audit_rollout ON audit (rollout_id, id);`,
  `-- Operator API tokens: the name is also the token's prefix, so a request names the one hash to check.
   CREATE TABLE api_tokens (
     name TEXT PRIMARY KEY,
     role TEXT NOT NULL,
     token_hash TEXT NOT NULL,
     created_at TEXT NOT NULL
   );`,
];

export function openHubDatabase(file: string): Database.Database {
  return openDatabase(file, {
    owner: 'hub',
    migrations: MIGRATIONS,
    // FULL: an acknowledged report must survive a crash, because the agent deletes it on ack.
    // Ingest commits in batches, so the fsync is paid once per batch, not per record.
    synchronous: 'FULL',
  }).db;
}
