import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openAgentDatabase } from '../agent/src/adapters/store/agent-database.js';
import { SqliteAgentStore } from '../agent/src/adapters/store/sqlite-agent-store.js';
import { SqliteRevisionCache } from '../agent/src/adapters/store/sqlite-revision-cache.js';
import { describeCache } from '../agent/src/cli/cache-report.js';
import { INITIAL_STATE } from '../agent/src/core/agent-state.js';
import { makeTempDir } from './support/temp-dir.js';

describe('agent cache report', () => {
  const temp = makeTempDir('cache-report');
  afterAll(() => temp.remove());

  it('shows revisions, sizes, what is applied and what waits for the hub', () => {
    const file = join(temp.dir, 'agent.db');
    const { db } = openAgentDatabase(file);
    const cache = new SqliteRevisionCache(db);
    const files = (text: string) => new Map([['apps/a.yaml', new TextEncoder().encode(text)]]);
    cache.put('a'.repeat(40), files('x'.repeat(2048)), new Date('2026-11-22T10:00:00Z'));
    cache.put('b'.repeat(40), files('y'), new Date('2026-11-22T11:00:00Z'));
    cache.setRef('fetched', 'b'.repeat(40), new Date());
    new SqliteAgentStore(db).saveState({ ...INITIAL_STATE, appliedRevision: 'a'.repeat(40), desiredRevision: 'b'.repeat(40) }, new Date());
    db.close();

    const report = describeCache(file);
    expect(report).toContain(`applied    ${'a'.repeat(40)} (0 objects)`);
    expect(report).toContain('outbox     1 record waiting for the hub');
    const rows = report.split('\n').filter((line) => /^[ab]{40}/.test(line));
    expect(rows[0]).toMatch(/^b{40}\s+2026-11-22T11:00:00.000Z\s+1\s+1 B\s+desired, fetched$/);
    expect(rows[1]).toMatch(/^a{40}\s+2026-11-22T10:00:00.000Z\s+1\s+2.0 KiB\s+applied$/);
  });

  it('refuses a file that is not an agent database, without creating one', () => {
    expect(() => describeCache(join(temp.dir, 'missing.db'))).toThrow(/cannot open/);
  });
});
