import * as fs from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Errors, listBranches, packObjects, readCommit, readObject, resolveRef } from 'isomorphic-git';
import { indexPack } from './pack-indexer.js';
import { parseTreeObject } from './tree-object.js';

/**
 * Pack compaction for an isomorphic-git cache directory, which gains one packfile per fetch and
 * has no `git gc`. Everything reachable from the cached branch heads — their commits back to the
 * shallow boundary, and every tree and blob of those commits — is written into one new pack,
 * then the old packs are removed. Refs and the `shallow` file are left as they are: they still
 * describe exactly what the cache holds, so the next fetch stays incremental.
 *
 * Crash safety: the new pack and its index are written in a scratch directory and moved into
 * `objects/pack` pack first, index last (a pack without an index is invisible to readers); old
 * indexes are removed before their packs. A kill at any point leaves either the old packs, or the
 * old and new ones side by side (duplicates are harmless), and the next compaction tidies up.
 */

const SCRATCH = 'compact.tmp';

export async function countPacks(gitdir: string): Promise<number> {
  const names = await readdir(join(gitdir, 'objects', 'pack')).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.idx')).length;
}

/** The commits the `shallow` file lists: their parents are not in the cache. */
export async function readShallow(gitdir: string): Promise<Set<string>> {
  const text = await readFile(join(gitdir, 'shallow'), 'utf8').catch(() => '');
  return new Set(text.split('\n').filter((line) => line !== ''));
}

/** The commits the cache's remote-tracking refs point at: what a compaction keeps. */
export async function cachedHeads(gitdir: string, remote: string): Promise<string[]> {
  const branches = (await listBranches({ fs, gitdir, remote })).filter((name) => name !== 'HEAD');
  return Promise.all(branches.map((name) => resolveRef({ fs, gitdir, ref: `refs/remotes/${remote}/${name}` })));
}

export interface CompactResult {
  packsBefore: number;
  objects: number;
  packBytes: number;
}

export async function compactPacks(gitdir: string, heads: readonly string[], cache: object): Promise<CompactResult> {
  const packDir = join(gitdir, 'objects', 'pack');
  const scratch = join(gitdir, SCRATCH);
  const packsBefore = await countPacks(gitdir);
  const oids = await reachableObjects(gitdir, heads, cache);

  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  // No deltas: isomorphic-git writes every object whole, so history that differs little costs more.
  const { filename, packfile } = await packObjects({ fs, gitdir, oids, cache });
  if (!packfile) throw new Error('packObjects returned no packfile');
  // Indexed natively (isomorphic-git's indexPack inflates with pako); the pack has no deltas, so no bases from outside.
  const indexed = await indexPack(Buffer.from(packfile.buffer, packfile.byteOffset, packfile.byteLength), async () => undefined);
  if (indexed.objects !== oids.length) {
    throw new Error(`compacted pack holds ${indexed.objects} objects, expected ${oids.length}`);
  }
  const index = filename.replace(/\.pack$/, '.idx');
  await writeFile(join(scratch, filename), packfile);
  await writeFile(join(scratch, index), indexed.idx);
  await rename(join(scratch, filename), join(packDir, filename));
  await rename(join(scratch, index), join(packDir, index));

  const old = (await readdir(packDir)).filter((name) => name !== filename && name !== index);
  // Indexes first: a pack whose index is gone is no longer read, whatever happens next.
  for (const name of old.filter((candidate) => candidate.endsWith('.idx'))) await rm(join(packDir, name), { force: true });
  for (const name of old) await rm(join(packDir, name), { force: true, recursive: true });
  await rm(scratch, { recursive: true, force: true });
  return { packsBefore, objects: oids.length, packBytes: packfile.length };
}

/** Every object the heads reach: commits down to the shallow boundary, then their trees and blobs. */
async function reachableObjects(gitdir: string, heads: readonly string[], cache: object): Promise<string[]> {
  const shallow = await readShallow(gitdir);
  const seen = new Set<string>();
  const trees: string[] = [];
  const commits = [...heads];
  for (let oid = commits.pop(); oid !== undefined; oid = commits.pop()) {
    if (seen.has(oid)) continue;
    let parsed: Awaited<ReturnType<typeof readCommit>>;
    try {
      parsed = await readCommit({ fs, cache, gitdir, oid });
    } catch (error) {
      // A parent past the boundary of a shallow fetch is simply not here.
      if (error instanceof Errors.NotFoundError) continue;
      throw error;
    }
    seen.add(oid);
    trees.push(parsed.commit.tree);
    if (!shallow.has(oid)) commits.push(...parsed.commit.parent);
  }
  for (let oid = trees.pop(); oid !== undefined; oid = trees.pop()) {
    if (seen.has(oid)) continue;
    seen.add(oid);
    const { object } = await readObject({ fs, cache, gitdir, oid, format: 'content' });
    for (const entry of parseTreeObject(object as Uint8Array)) {
      if (entry.kind === 'tree') trees.push(entry.oid);
      else if (entry.kind === 'blob' || entry.kind === 'symlink') seen.add(entry.oid);
    }
  }
  return [...seen];
}
