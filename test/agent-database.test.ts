/**
 * The agent's SQLite file on disk: the revision cache, seq seeding for a new file, and what
 * happens to a corrupt one.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openAgentDatabase } from '../agent/src/adapters/store/agent-database.js';
import { SqliteAgentStore } from '../agent/src/adapters/store/sqlite-agent-store.js';
import { SqliteRevisionCache } from '../agent/src/adapters/store/sqlite-revision-cache.js';
import { ManualClock } from '../shared/src/time/clock.js';
import type { Clock } from '../shared/src/time/clock.js';
import { makeTempDir } from './support/temp-dir.js';

const encode = (text: string) => new TextEncoder().encode(text);
const tree = (files: Record<string, string>) => new Map(Object.entries(files).map(([p, t]) => [p, encode(t)]));
const sha = (c: string) => c.repeat(40);
const at = (minute: number) => new Date(Date.UTC(2026, 10, 22, 10, minute));

describe('agent database', () => {
  let temp = makeTempDir('agent-db');
  let file = join(temp.dir, 'agent.db');
  const open: { close(): void }[] = [];
  const openDb = (clock?: Clock) => {
    const opened = openAgentDatabase(file, clock);
    open.push(opened.db);
    return opened;
  };
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    temp.remove();
    temp = makeTempDir('agent-db');
    file = join(temp.dir, 'agent.db');
  });
  afterAll(() => temp.remove());

  it('caches whole revisions, storing a content once however many revisions hold it', () => {
    const cache = new SqliteRevisionCache(openDb().db);
    const shared = 'x'.repeat(1000);
    cache.put(sha('a'), tree({ 'apps/a.yaml': shared, 'apps/b.yaml': 'b' }), at(1));
    cache.put(sha('b'), tree({ 'apps/a.yaml': shared, 'apps/b.yaml': 'c' }), at(2));
    cache.put(sha('b'), tree({ 'ignored.yaml': 'a second put of the same revision changes nothing' }), at(3));
    expect(cache.sizeBytes()).toBe(1002);
    expect([...(cache.files(sha('b')) ?? new Map()).entries()].map(([p, c]) => [p, Buffer.from(c).toString()])).toEqual([
      ['apps/a.yaml', shared],
      ['apps/b.yaml', 'c'],
    ]);
    expect(cache.list().map((r) => [r.sha, r.fileCount, r.totalBytes])).toEqual([
      [sha('b'), 2, 1001],
      [sha('a'), 2, 1001],
    ]);
    expect(cache.files(sha('c'))).toBeUndefined();
  });

  it('keeps the newest revisions and the pinned ones, and collects blobs nobody uses', () => {
    const cache = new SqliteRevisionCache(openDb().db);
    for (const [i, c] of ['a', 'b', 'c', 'd', 'e'].entries()) cache.put(sha(c), tree({ 'f.yaml': `rev ${c}`, 'common.yaml': 'same' }), at(i));
    expect(cache.prune(2, [sha('a')])).toEqual({ revisions: 2, blobs: 2 });
    expect(cache.list().map((r) => r.sha)).toEqual([sha('e'), sha('d'), sha('a')]);
    expect(Buffer.from(cache.files(sha('a'))!.get('f.yaml')!).toString()).toBe('rev a');
    expect(cache.sizeBytes()).toBe('rev e'.length * 3 + 'same'.length);
  });

  it('keeps refs', () => {
    const cache = new SqliteRevisionCache(openDb().db);
    expect(cache.ref('fetched')).toBeUndefined();
    cache.setRef('fetched', sha('a'), at(1));
    cache.setRef('fetched', sha('b'), at(2));
    expect(cache.ref('fetched')).toBe(sha('b'));
  });

  it('starts the outbox of a new file from the clock, so a reinstalled agent never reuses a seq', () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const store = new SqliteAgentStore(openDb(new ManualClock(now)).db);
    const seq = store.appendEvent({ reason: 'Test', message: '', severity: 'info' }, now);
    expect(seq).toBe(now.getTime() * 1000 + 1);
  });

  it('moves a corrupt file aside and starts afresh, saying where it went', () => {
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    const opened = openDb();
    expect(opened.movedAside).toMatch(/agent\.db\.corrupt-/);
    expect(existsSync(opened.movedAside!)).toBe(true);
    expect(new SqliteRevisionCache(opened.db).list()).toEqual([]);
    expect(readdirSync(temp.dir).filter((f) => f.includes('corrupt'))).toHaveLength(1);
  });

  it('opens a sound file as it is', () => {
    const first = openDb();
    new SqliteRevisionCache(first.db).put(sha('a'), tree({ 'a.yaml': 'a' }), at(1));
    first.db.close();
    const second = openDb();
    expect(second.movedAside).toBeUndefined();
    expect(new SqliteRevisionCache(second.db).has(sha('a'))).toBe(true);
  });
});
