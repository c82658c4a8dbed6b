import { existsSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import { FleetError } from './errors.js';
import { systemClock } from './time/clock.js';
import type { Clock } from './time/clock.js';

export interface OpenDatabaseOptions {
  /** What the database is, for error messages ("agent", "hub"). */
  owner: string;
  /** Each entry migrates the schema from version i to i + 1; never edit one that has shipped. */
  migrations: readonly string[];
  /** The default for the connection; stores may raise or lower it per kind of write (docs/decisions.md). */
  synchronous: 'FULL' | 'NORMAL';
  /**
   * What to do with a file that fails SQLite's quick check: `move-aside` renames it (and its WAL)
   * to `<file>.corrupt-<time>` and starts an empty database, for stores that can be rebuilt;
   * `fail` (default) refuses to start.
   */
  onCorrupt?: 'move-aside' | 'fail';
  /** For the name a corrupt file is moved to. */
  clock?: Clock;
}

export interface OpenedDatabase {
  db: Database.Database;
  /** The file was new (or replaced): its schema was created from scratch. */
  created: boolean;
  /** Where a corrupt file was moved, when it was. */
  movedAside?: string;
}

/** Opens (or creates) a SQLite file in WAL mode, checks it, and brings its schema up to date. */
export function openDatabase(file: string, options: OpenDatabaseOptions): OpenedDatabase {
  const problem = file === ':memory:' ? undefined : integrityProblem(file);
  let movedAside: string | undefined;
  if (problem !== undefined) {
    if (options.onCorrupt !== 'move-aside') {
      throw new FleetError('stalled', `the ${options.owner} database ${file} is corrupt (${problem}); restore it from a backup`);
    }
    movedAside = `${file}.corrupt-${new Date((options.clock ?? systemClock).now()).toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(file + suffix)) renameSync(file + suffix, movedAside + suffix);
    }
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const created = migrate(db, options);
    return { db, created, ...(movedAside ? { movedAside } : {}) };
  } catch (cause) {
    db?.close();
    if (cause instanceof FleetError) throw cause;
    throw new FleetError('stalled', `cannot open the ${options.owner} database ${file}`, { cause });
  }
}

/** Runs `write` as one transaction at the given durability, restoring the connection's default after. */
export function writeWith<T>(db: Database.Database, synchronous: 'FULL' | 'NORMAL', write: () => T): T {
  const previous = db.pragma('synchronous', { simple: true }) as number;
  db.pragma(`synchronous = ${synchronous}`);
  try {
    return db.transaction(write)();
  } finally {
    db.pragma(`synchronous = ${previous}`);
  }
}

/** A description of what is wrong with an existing file, or undefined when it is sound or absent. */
function integrityProblem(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    const result = rows.map((row) => row.quick_check).join('; ');
    return result === 'ok' ? undefined : result;
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return (error as Error).message;
    throw new FleetError('stalled', `cannot check the database ${file}`, { cause: error });
  } finally {
    db?.close();
  }
}

function migrate(db: Database.Database, { owner, migrations }: OpenDatabaseOptions): boolean {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new FleetError(
      'stalled',
      `the ${owner} database schema is version ${current}, newer than this ${owner} understands (${migrations.length}); upgrade the ${owner}`,
    );
  }
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return current === 0;
}
