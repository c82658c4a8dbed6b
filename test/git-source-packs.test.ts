import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IsomorphicGitSource } from '../shared/src/git/isomorphic-git-source.js';
import { commitFiles, createBareRepo, runGit } from '../simulators/src/git-server/fixtures.js';
import type { FixtureFile } from '../simulators/src/git-server/fixtures.js';
import { startGitServer } from '../simulators/src/git-server/git-server.js';
import type { GitServer } from '../simulators/src/git-server/git-server.js';
import { expectKind } from './git-contract.js';
import { makeTempDir } from './support/temp-dir.js';

/** The Git adapter's own pack reader, against packs as a real server sends them. */
describe('IsomorphicGitSource pack reading', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let repo: string;
  let server: GitServer;
  let cacheDir: string;
  let source: IsomorphicGitSource;
  beforeEach(async () => {
    temp = makeTempDir('git-source-packs');
    repo = await createBareRepo(join(temp.dir, 'repos'), 'fleet.git');
    server = await startGitServer({ root: join(temp.dir, 'repos') });
    cacheDir = join(temp.dir, 'cache');
    source = new IsomorphicGitSource({ url: server.repoUrl('fleet.git'), dir: cacheDir, timeoutMs: 10_000 });
  });
  afterEach(async () => {
    await server.close();
    temp.remove();
  });

  const commit = (files: Record<string, FixtureFile>): Promise<string> => commitFiles(repo, { branch: 'main', files });
  /** A file's content at a revision, as the server's native git reads it. */
  const serverFile = (revision: string, path: string): Promise<string> => runGit(['--git-dir', repo, 'cat-file', 'blob', `${revision}:${path}`]);
  const text = (tree: ReadonlyMap<string, Uint8Array>, path: string): string => new TextDecoder().decode(tree.get(path));

  it('reads revisions whose files arrived as deltas against each other', async () => {
    const lines = Array.from({ length: 2000 }, () => randomBytes(24).toString('base64'));
    const first = await commit({ 'big.yaml': lines.join('\n'), 'small.yaml': 'v: 1\n' });
    expect(await source.fetchBranchHead('main')).toBe(first);
    const packsBefore = new Set(packFiles(cacheDir));
    const revisions: string[] = [];
    for (let i = 1; i <= 3; i++) {
      lines[i * 300] = `edited in revision ${i}`;
      revisions.push(await commit({ 'big.yaml': lines.join('\n'), 'small.yaml': `v: ${i + 1}\n` }));
    }
    expect(await source.fetchBranchHead('main')).toBe(revisions[2]);

    // The adapter indexes what it receives: native git must accept every index (SHAs, offsets, CRCs).
    const indexes = packFiles(cacheDir).filter((name) => name.endsWith('.idx'));
    expect(packFiles(cacheDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    for (const name of indexes) await runGit(['verify-pack', join(cacheDir, 'objects', 'pack', name)]);
    // The incremental pack must hold deltas, or this test would not exercise them.
    const received = indexes.filter((name) => !packsBefore.has(name));
    const verified = await runGit(['verify-pack', '-v', ...received.map((name) => join(cacheDir, 'objects', 'pack', name))]);
    expect(verified).toMatch(/^[0-9a-f]{40} blob +\d+ \d+ \d+ [1-9]\d* [0-9a-f]{40}$/m);

    for (const revision of [first, ...revisions]) {
      const tree = await source.readTree(revision, '');
      expect([...tree.keys()].sort()).toEqual(['big.yaml', 'small.yaml']);
      expect(text(tree, 'big.yaml'), revision).toBe(await serverFile(revision, 'big.yaml'));
      expect(text(tree, 'small.yaml'), revision).toBe(await serverFile(revision, 'small.yaml'));
    }
  });

  it('deletes the cache when a pack entry is damaged under a valid checksum, and rebuilds it on the next fetch', async () => {
    const content = Array.from({ length: 300 }, (_, i) => `key-${i}: ${randomBytes(12).toString('hex')}`).join('\n');
    const head = await commit({ 'config.yaml': content, 'other.yaml': 'o\n' });
    await source.fetchBranchHead('main');
    const blob = (await runGit(['--git-dir', repo, 'rev-parse', `${head}:config.yaml`])).trim();
    const idx = join(cacheDir, 'objects', 'pack', packFiles(cacheDir).find((name) => name.endsWith('.idx')) ?? '');
    const offsets = new Map(
      (await runGit(['show-index'], { input: readFileSync(idx) })).trim().split('\n').map((line) => [line.split(' ')[1], Number(line.split(' ')[0])]),
    );
    const start = offsets.get(blob) ?? 0;
    const packSize = readFileSync(idx.replace(/\.idx$/, '.pack')).length;
    const end = Math.min(packSize - 20, ...[...offsets.values()].filter((offset) => offset > start));
    rewritePack(idx, (bytes) => {
      const middle = Math.floor((start + end) / 2);
      bytes[middle] = (bytes[middle] ?? 0) ^ 0x55;
    });

    const error = await expectKind(source.readTree(head, ''), 'transient');
    expect(error.message).toContain('could not be read');
    expect(error.message).toContain(`the entry at offset ${start} is unreadable`);
    expect(existsSync(cacheDir)).toBe(false);
    await source.fetchCommit(head, 'main');
    expect(text(await source.readTree(head, ''), 'config.yaml')).toBe(content);
  });
});

function packFiles(gitdir: string): string[] {
  return readdirSync(join(gitdir, 'objects', 'pack'));
}

/** Edits a pack's bytes, then makes its trailer and its index's record of it match again: damage no checksum catches. */
function rewritePack(idx: string, edit: (bytes: Buffer) => void): void {
  const pack = idx.replace(/\.idx$/, '.pack');
  const bytes = readFileSync(pack);
  edit(bytes);
  writeFileSync(pack, withTrailer(bytes));
  const index = readFileSync(idx);
  bytes.copy(index, index.length - 40, bytes.length - 20);
  writeFileSync(idx, withTrailer(index));
}

function withTrailer(bytes: Buffer): Buffer {
  createHash('sha1').update(bytes.subarray(0, -20)).digest().copy(bytes, bytes.length - 20);
  return bytes;
}
