import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitFiles, commitRawTree, createBareRepo, runGit } from '../../simulators/src/git-server/fixtures.js';
import { makeTempDir } from '../support/temp-dir.js';
import { ObjectSizes } from '../../shared/src/git/pack/object-sizes.js';
import { PackSet } from '../../shared/src/git/pack/pack-set.js';

describe('ObjectSizes', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let repo: string;
  beforeEach(async () => {
    temp = makeTempDir('object-sizes');
    repo = await createBareRepo(temp.dir, 'repo.git');
  });
  afterEach(() => temp.remove());

  /** Every object in the repository with the size native git reports for it. */
  const gitSizes = async (): Promise<Map<string, number>> => {
    const out = await runGit(['--git-dir', repo, 'cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objectsize)']);
    return new Map(out.trim().split('\n').map((line) => [line.split(' ')[0] ?? '', Number(line.split(' ')[1])]));
  };

  /** Commits versions of a large file that differ a little, so that a repack stores deltas. */
  const history = async (): Promise<void> => {
    const base = randomBytes(64 * 1024).toString('base64');
    for (let i = 0; i < 6; i++) {
      await commitFiles(repo, { branch: 'main', files: { 'big.txt': `${base}\nversion ${i}\n`.repeat(1 + i), [`small-${i}`]: `${i}` } });
    }
  };

  it('reads the sizes of packed objects, deltas included, as git reports them', async () => {
    await history();
    await runGit(['--git-dir', repo, 'repack', '-adf', '--depth=10']);
    const packed = await runGit(['--git-dir', repo, 'verify-pack', '-v', ...packIndexes(repo)]);
    // The repack must have produced deltas, or this test checks only half of the reader.
    expect(packed).toMatch(/ blob +\d+ \d+ \d+ \d+ [0-9a-f]{40}/);
    const packs = new PackSet(repo, new Set());
    const sizes = new ObjectSizes(repo, packs);
    try {
      for (const [oid, size] of await gitSizes()) expect(await sizes.sizeOf(oid), oid).toBe(size);
    } finally {
      await packs.close();
    }
  });

  it('reads the sizes of loose objects, and nothing for an unknown one', async () => {
    // hash-object and commit-tree write loose objects (fast-import would write a pack).
    await commitRawTree(repo, {
      branch: 'main',
      entries: [{ name: 'big.bin', content: randomBytes(70_000) }, { name: 'dir', tree: [{ name: 'a', content: 'a' }] }],
    });
    expect(existsSync(join(repo, 'objects', 'pack')) ? packIndexes(repo) : []).toEqual([]);
    const packs = new PackSet(repo, new Set());
    const sizes = new ObjectSizes(repo, packs);
    try {
      const all = await gitSizes();
      expect([...all.values()]).toContain(70_000);
      for (const [oid, size] of all) expect(await sizes.sizeOf(oid)).toBe(size);
      expect(await sizes.sizeOf('0123456789abcdef0123456789abcdef01234567')).toBeUndefined();
    } finally {
      await packs.close();
    }
  });

  it('refuses a pack whose content does not match its checksum', async () => {
    await history();
    await runGit(['--git-dir', repo, 'repack', '-adf']);
    const head = (await runGit(['--git-dir', repo, 'rev-parse', 'main'])).trim();
    const pack = (packIndexes(repo)[0] ?? '').replace(/\.idx$/, '.pack');
    const bytes = readFileSync(pack);
    bytes[bytes.length - 30] = (bytes[bytes.length - 30] ?? 0) ^ 0xff;
    writeFileSync(pack, bytes);
    const packs = new PackSet(repo, new Set());
    const sizes = new ObjectSizes(repo, packs);
    try {
      await expect(sizes.sizeOf(head)).rejects.toThrow(/damaged/);
    } finally {
      await packs.close();
    }
  });
});

function packIndexes(repo: string): string[] {
  const dir = join(repo, 'objects', 'pack');
  return readdirSync(dir).filter((name) => name.endsWith('.idx')).map((name) => join(dir, name));
}
