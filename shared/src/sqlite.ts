import Database from 'better-sqlite3';
import { FleetError } from './errors.js';

export interface OpenDatabaseOptions {
  /** What the database is, for error messages ("agent", "hub"). */
  owner: string;
  /** Each entry migrates the schema from version i to i + 1; never edit one that has shipped. */
  migrations: readonly string[];
  /** Chosen per store and explained there; docs/decisions.md has the reasoning. */
  synchronous: 'FULL' | 'NORMAL';
}

/** Opens (or creates) a SQLite file in WAL mode and brings its schema up to date. */
export function openDatabase(file: string, options: OpenDatabaseOptions): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, options);
    return db;
  } catch (cause) {
    db?.close();
    if (cause instanceof FleetError) throw cause;
    throw new FleetError('stalled', `cannot open the ${options.owner} database ${file}`, { cause });
  }
}

function migrate(db: Database.Database, { owner, migrations }: OpenDatabaseOptions): void {
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
}
