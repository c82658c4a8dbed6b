import type Database from 'better-sqlite3';
import { z } from 'zod';
import { FleetError } from '../../../../shared/src/errors.js';
import type { ApiTokenRecord, ApiTokenStore } from '../../ports/api-token-store.js';

const TokenRow = z.object({ name: z.string(), role: z.enum(['viewer', 'operator']), token_hash: z.string() });

/** Over the hub database (`openHubDatabase`); the caller closes it. */
export class SqliteApiTokenStore implements ApiTokenStore {
  constructor(private readonly db: Database.Database) {}

  addApiToken({ name, role, tokenHash }: ApiTokenRecord, at: Date): void {
    try {
      this.db.prepare('INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)').run(name, role, tokenHash, at.toISOString());
    } catch (cause) {
      if ((cause as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new FleetError('conflict', `an API token named ${name} exists already; choose another name`, { cause });
      }
      throw cause;
    }
  }

  apiToken(name: string): ApiTokenRecord | undefined {
    const raw = this.db.prepare('SELECT name, role, token_hash FROM api_tokens WHERE name = ?').get(name);
    if (raw === undefined) return undefined;
    const row = TokenRow.parse(raw);
    return { name: row.name, role: row.role, tokenHash: row.token_hash };
  }
}
