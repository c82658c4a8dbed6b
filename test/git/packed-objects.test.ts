import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitFiles, commitRawTree, createBareRepo, runGit } from '../../simulators/src/git-server/fixtures.js';
import { makeTempDir } from '../support/temp-dir.js';
import { PackedObjects } from '../../shared/src/git/pack/packed-objects.js';
import type { FallbackRead } from '../../shared/src/git/pack/packed-objects.js';
import { PackEntryType } from '../../shared/src/git/pack/pack-entry.js';
import { PackSet } from '../../shared/src/git/pack/pack-set.js';

describe('PackedObjects', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let repo: string;
  let packs: PackSet;
  beforeEach(async () => {
    temp = makeTempDir('packed-objects');
    repo = await createBareRepo(temp.dir, 'repo.git');
    packs = new PackSet(repo, new Set());
  });
  afterEach(async () => {
    await packs.close();
    temp.remove();
  });

  /** Reads loose objects with native git, as isomorphic-git would; counts its calls. */
  const fallback = { calls: 0 };
  const gitFallback: FallbackRead = async (oid) => {
    fallback.calls++;
    const type = (await runGit(['--git-dir', repo, 'cat-file', '-t', oid])).trim();
    // Only text objects reach this path in these tests, so a UTF-8 round trip is exact.
    return { type, content: Buffer.from(await runGit(['--git-dir', repo, 'cat-file', type, oid])) };
  };
  beforeEach(() => {
    fallback.calls = 0;
  });

  /** Every object in the repository as native git lists it. */
  const allObjects = async (): Promise<Array<{ oid: string; type: string; size: number }>> => {
    const out = await runGit(['--git-dir', repo, 'cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype) %(objectsize)']);
    return out.trim().split('\n').map((line) => {
      const [oid = '', type = '', size = ''] = line.split(' ');
      return { oid, type, size: Number(size) };
    });
  };

  /** Versions of a large text file, each a small edit of the one before, so that a repack stores chains of deltas. */
  const history = async (): Promise<void> => {
    const lines = Array.from({ length: 1500 }, () => randomBytes(24).toString('base64'));
    for (let i = 0; i < 6; i++) {
      lines[i * 200] = `edited in version ${i}`;
      await commitFiles(repo, { branch: 'main', files: { 'big.txt': lines.join('\n'), [`small-${i}`]: `${i}` } });
    }
  };

  /** Reads every object and checks it against native git; returns how many pack entries of each type were read. */
  const readsAll = async (): Promise<Map<number, number>> => {
    const objects = new PackedObjects(packs, gitFallback);
    const types = new Map<number, number>();
    for (const { oid, type, size } of await allObjects()) {
      const object = await objects.read(oid);
      expect([object.type, object.content.length], oid).toEqual([type, size]);
      if (type === 'blob') expect(object.content.toString(), oid).toBe(await runGit(['--git-dir', repo, 'cat-file', 'blob', oid]));
      const location = await packs.locate(oid);
      if (location) {
        const entry = await packs.entry(location.pack, location.offset);
        types.set(entry.type, (types.get(entry.type) ?? 0) + 1);
      }
    }
    return types;
  };

  it('reads every object of a pack whose history is stored as chains of OFS_DELTA entries', async () => {
    await history();
    await runGit(['--git-dir', repo, 'repack', '-adf', '--depth=10']);
    const types = await readsAll();
    expect(types.get(PackEntryType.ofsDelta)).toBeGreaterThanOrEqual(4);
    const chains = await runGit(['--git-dir', repo, 'verify-pack', '-v', ...indexes(repo)]);
    // verify-pack reports how many objects sit at each chain length; a chain of 2 or more proves the base cache is crossed.
    expect(chains).toMatch(/chain length = [2-9]: \d+ objects?/);
    expect(fallback.calls).toBe(0);
  });

  it('reads REF_DELTA entries, whose base is named by SHA', async () => {
    await history();
    await runGit(['--git-dir', repo, '-c', 'repack.useDeltaBaseOffset=false', 'repack', '-adf', '--depth=10']);
    const types = await readsAll();
    expect(types.get(PackEntryType.refDelta)).toBeGreaterThanOrEqual(4);
    expect(types.get(PackEntryType.ofsDelta)).toBeUndefined();
  });

  it('reads loose objects through the fallback, and checks them too', async () => {
    const commit = await commitRawTree(repo, { branch: 'main', entries: [{ name: 'a.yaml', content: 'a: 1\n' }] });
    expect((await new PackedObjects(packs, gitFallback).read(commit)).type).toBe('commit');
    expect(fallback.calls).toBe(1);
    const lying = new PackedObjects(packs, async () => ({ type: 'commit', content: Buffer.from('tree 0\n') }));
    await expect(lying.read(commit)).rejects.toThrow(`object ${commit} in the loose objects is damaged`);
  });

  it('refuses an entry whose data is damaged under a valid pack checksum', async () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i}: ${randomBytes(12).toString('hex')}`).join('\n');
    await commitFiles(repo, { branch: 'main', files: { 'a.txt': text, 'b.txt': 'b\n' } });
    await runGit(['--git-dir', repo, 'repack', '-adf']);
    const blob = (await runGit(['--git-dir', repo, 'rev-parse', 'main:a.txt'])).trim();
    const [idx = ''] = indexes(repo);
    const entries = await listIndex(idx);
    const start = entries.get(blob) ?? 0;
    const end = Math.min(...[...entries.values()].filter((offset) => offset > start), readFileSync(pack(idx)).length - 20);
    rewritePack(idx, (bytes) => {
      const middle = Math.floor((start + end) / 2);
      bytes[middle] = (bytes[middle] ?? 0) ^ 0x55;
    });
    const objects = new PackedObjects(packs, gitFallback);
    await expect(objects.read(blob)).rejects.toThrow(new RegExp(`is damaged: the entry at offset ${start} is unreadable`));
  });

  it('refuses an object whose content does not hash to its name (an index pointing at another entry)', async () => {
    await commitFiles(repo, { branch: 'main', files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } });
    await runGit(['--git-dir', repo, 'repack', '-adf']);
    const [a, b] = await Promise.all(['a.txt', 'b.txt'].map(async (path) => (await runGit(['--git-dir', repo, 'rev-parse', `main:${path}`])).trim()));
    const [idx = ''] = indexes(repo);
    const bytes = readFileSync(idx);
    const count = bytes.readUInt32BE(8 + 255 * 4);
    const shas = 8 + 256 * 4;
    const position = (oid = ''): number => {
      for (let i = 0; i < count; i++) if (bytes.toString('hex', shas + i * 20, shas + i * 20 + 20) === oid) return shas + count * 24 + i * 4;
      throw new Error(`${oid} is not in the index`);
    };
    const [first, second] = [position(a), position(b)];
    const offsetOfA = bytes.readUInt32BE(first);
    bytes.writeUInt32BE(bytes.readUInt32BE(second), first);
    bytes.writeUInt32BE(offsetOfA, second);
    writeFileSync(idx, withTrailer(bytes));
    await expect(new PackedObjects(packs, gitFallback).read(a ?? '')).rejects.toThrow(/is damaged: its content hashes to/);
  });
});

function indexes(repo: string): string[] {
  const dir = join(repo, 'objects', 'pack');
  return readdirSync(dir).filter((name) => name.endsWith('.idx')).map((name) => join(dir, name));
}

const pack = (idx: string): string => idx.replace(/\.idx$/, '.pack');

/** Object → offset, as native git reads the index. */
async function listIndex(idx: string): Promise<Map<string, number>> {
  const out = await runGit(['show-index'], { input: readFileSync(idx) });
  return new Map(out.trim().split('\n').map((line) => [line.split(' ')[1] ?? '', Number(line.split(' ')[0])]));
}

/** Edits a pack's bytes, then makes its trailer and its index's record of it match again: damage no checksum catches. */
function rewritePack(idx: string, edit: (bytes: Buffer) => void): void {
  const bytes = readFileSync(pack(idx));
  edit(bytes);
  const packed = withTrailer(bytes);
  writeFileSync(pack(idx), packed);
  const index = readFileSync(idx);
  packed.copy(index, index.length - 40, packed.length - 20);
  writeFileSync(idx, withTrailer(index));
}

function withTrailer(bytes: Buffer): Buffer {
  createHash('sha1').update(bytes.subarray(0, -20)).digest().copy(bytes, bytes.length - 20);
  return bytes;
}
