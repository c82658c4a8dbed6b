import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { writeWith } from '../../../../shared/src/sqlite.js';
import type { FileTree } from '../../../../shared/src/git/file-tree.js';
import type { CachedRevision, RefName, RevisionCache } from '../../ports/revision-cache.js';

const RevisionRow = z.object({ sha: z.string(), fetched_at: z.string(), file_count: z.number(), total_bytes: z.number() });
const FileRow = z.object({ path: z.string(), data: z.instanceof(Buffer) });

// NORMAL: a cached revision lost to a power cut is fetched again. The WAL stays consistent,
// and the FULL commit of the state that refers to a revision makes the revision durable too.
const CACHE_DURABILITY = 'NORMAL';

export class SqliteRevisionCache implements RevisionCache {
  constructor(private readonly db: Database.Database) {}

  has(sha: string): boolean {
    return this.db.prepare('SELECT 1 FROM revisions WHERE sha = ?').get(sha) !== undefined;
  }

  put(sha: string, files: FileTree, at: Date): void {
    if (this.has(sha)) return;
    const insertBlob = this.db.prepare('INSERT OR IGNORE INTO blobs (id, size, data) VALUES (?, ?, ?)');
    const insertFile = this.db.prepare('INSERT INTO revision_files (sha, path, blob_id) VALUES (?, ?, ?)');
    let totalBytes = 0;
    writeWith(this.db, CACHE_DURABILITY, () => {
      this.db.prepare('INSERT INTO revisions (sha, fetched_at, file_count, total_bytes) VALUES (?, ?, ?, 0)').run(sha, at.toISOString(), files.size);
      for (const [path, content] of files) {
        const id = createHash('sha256').update(content).digest('hex');
        insertBlob.run(id, content.byteLength, Buffer.from(content.buffer, content.byteOffset, content.byteLength));
        insertFile.run(sha, path, id);
        totalBytes += content.byteLength;
      }
      this.db.prepare('UPDATE revisions SET total_bytes = ? WHERE sha = ?').run(totalBytes, sha);
    });
  }

  files(sha: string): FileTree | undefined {
    if (!this.has(sha)) return undefined;
    const rows = this.db
      .prepare('SELECT f.path, b.data FROM revision_files f JOIN blobs b ON b.id = f.blob_id WHERE f.sha = ? ORDER BY f.path')
      .all(sha);
    return new Map(rows.map((raw) => {
      const row = FileRow.parse(raw);
      return [row.path, new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength)];
    }));
  }

  list(): CachedRevision[] {
    return this.db
      .prepare('SELECT sha, fetched_at, file_count, total_bytes FROM revisions ORDER BY fetched_at DESC, rowid DESC')
      .all()
      .map((raw) => {
        const row = RevisionRow.parse(raw);
        return { sha: row.sha, fetchedAt: row.fetched_at, fileCount: row.file_count, totalBytes: row.total_bytes };
      });
  }

  prune(keep: number, pinned: readonly string[]): { revisions: number; blobs: number } {
    const kept = new Set([...this.list().slice(0, keep).map((r) => r.sha), ...pinned]);
    const doomed = this.list().filter((r) => !kept.has(r.sha));
    return writeWith(this.db, CACHE_DURABILITY, () => {
      const remove = this.db.prepare('DELETE FROM revisions WHERE sha = ?');
      for (const revision of doomed) remove.run(revision.sha);
      const blobs = this.db
        .prepare('DELETE FROM blobs WHERE NOT EXISTS (SELECT 1 FROM revision_files f WHERE f.blob_id = blobs.id)')
        .run().changes;
      return { revisions: doomed.length, blobs };
    });
  }

  setRef(name: RefName, sha: string, at: Date): void {
    writeWith(this.db, CACHE_DURABILITY, () =>
      this.db
        .prepare('INSERT INTO refs (name, sha, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET sha = excluded.sha, updated_at = excluded.updated_at')
        .run(name, sha, at.toISOString()),
    );
  }

  ref(name: RefName): string | undefined {
    const row = this.db.prepare('SELECT sha FROM refs WHERE name = ?').get(name) as { sha: string } | undefined;
    return row?.sha;
  }

  sizeBytes(): number {
    const row = this.db.prepare('SELECT COALESCE(SUM(size), 0) AS bytes FROM blobs').get() as { bytes: number };
    return row.bytes;
  }
}
