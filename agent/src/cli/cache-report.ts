/** `agent cache --db FILE`: what an agent's SQLite file holds, for an operator at the box. */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { FleetError } from '../../../shared/src/errors.js';
import { formatTable } from '../../../shared/src/table.js';
import { SqliteAgentStore } from '../adapters/store/sqlite-agent-store.js';
import { SqliteRevisionCache } from '../adapters/store/sqlite-revision-cache.js';

export function describeCache(file: string): string {
  let db: Database.Database;
  try {
    // Read-only: safe next to a running agent, and never migrates or creates anything.
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw new FleetError('validation', `cannot open ${file} (is it an agent database?)`, { cause });
  }
  try {
    const cache = new SqliteRevisionCache(db);
    const store = new SqliteAgentStore(db);
    const state = store.readState();
    const fetched = cache.ref('fetched');
    const pending = store.pendingCount();
    const ready = state.conditions.find((c) => c.type === 'Ready');
    const fileBytes = ['', '-wal'].reduce((sum, suffix) => sum + (statSize(file + suffix) ?? 0), 0);
    const marks = (sha: string) =>
      [sha === state.appliedRevision && 'applied', sha === state.desiredRevision && 'desired', sha === fetched && 'fetched']
        .filter(Boolean)
        .join(', ');
    const rows = cache.list().map((r) => [r.sha, r.fetchedAt, String(r.fileCount), formatBytes(r.totalBytes), marks(r.sha)]);
    return [
      `database   ${file} (${formatBytes(fileBytes)} on disk, ${formatBytes(cache.sizeBytes())} of file contents)`,
      `applied    ${state.appliedRevision ?? '-'} (${state.inventory.length} objects)`,
      `desired    ${state.desiredRevision ?? '-'}`,
      `fetched    ${fetched ?? '-'}`,
      `ready      ${ready ? `${ready.status} ${ready.reason}: ${ready.message}` : '-'}`,
      `outbox     ${pending} record${pending === 1 ? '' : 's'} waiting for the hub`,
      '',
      formatTable(['REVISION', 'FETCHED', 'FILES', 'SIZE', ''], rows),
    ].join('\n');
  } catch (cause) {
    throw new FleetError('validation', `${file} is not a readable agent database`, { cause });
  } finally {
    db.close();
  }
}

function statSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
