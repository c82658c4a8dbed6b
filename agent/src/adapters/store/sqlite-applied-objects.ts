import type Database from 'better-sqlite3';
import { writeWith } from '../../../../shared/src/sqlite.js';
import type { AppliedObjects, AppliedRecord } from '../../ports/applied-objects.js';

// NORMAL: a lost record costs one dry-run apply of that object, nothing more.
const DURABILITY = 'NORMAL';

export class SqliteAppliedObjects implements AppliedObjects {
  constructor(private readonly db: Database.Database) {}

  all(): Map<string, AppliedRecord> {
    const rows = this.db.prepare('SELECT identity, desired_hash, resource_version FROM applied_objects').all() as {
      identity: string;
      desired_hash: string;
      resource_version: string;
    }[];
    return new Map(rows.map((row) => [row.identity, { desiredHash: row.desired_hash, resourceVersion: row.resource_version }]));
  }

  record(entries: Iterable<[string, AppliedRecord]>): void {
    const upsert = this.db.prepare(
      `INSERT INTO applied_objects (identity, desired_hash, resource_version) VALUES (?, ?, ?)
       ON CONFLICT (identity) DO UPDATE SET desired_hash = excluded.desired_hash, resource_version = excluded.resource_version`,
    );
    writeWith(this.db, DURABILITY, () => {
      for (const [identity, record] of entries) upsert.run(identity, record.desiredHash, record.resourceVersion);
    });
  }

  forget(identities: Iterable<string>): void {
    const remove = this.db.prepare('DELETE FROM applied_objects WHERE identity = ?');
    writeWith(this.db, DURABILITY, () => {
      for (const identity of identities) remove.run(identity);
    });
  }
}
