import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { Errors, listBranches, resolveRef } from 'isomorphic-git';
import { indexPack } from './pack-indexer.js';
import type { GitObject } from './packed-objects.js';
import { parseTreeObject } from './tree-object.js';

/**
 * Pack compaction for an isomorphic-git cache directory, which gains one packfile per fetch and
 * has no `git gc`. Everything reachable from the cached branch heads — their commits back to the
 * shallow boundary, and every tree and blob of those commits — is written into one new pack,
 * then the old packs are removed. Refs and the `shallow` file are left as they are: they still
 * describe exactly what the cache holds, so the next fetch stays incremental. Every object is
 * written whole (no deltas: history that differs little costs more) and deflated natively.
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
  /** The new pack, whose checksum was checked as it was indexed. */
  packFile: string;
}

/** How compaction reads objects; a missing one throws isomorphic-git's NotFoundError. */
export interface ObjectSource {
  read(oid: string): Promise<GitObject>;
}

export async function compactPacks(gitdir: string, heads: readonly string[], objects: ObjectSource): Promise<CompactResult> {
  const packDir = join(gitdir, 'objects', 'pack');
  const scratch = join(gitdir, SCRATCH);
  const packsBefore = await countPacks(gitdir);
  const oids = await reachableObjects(gitdir, heads, objects);

  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  const packfile = await writePack(oids, objects);
  // Indexing it again checks what was written, entry by entry, before the old packs go.
  const indexed = await indexPack(packfile, async () => undefined);
  if (indexed.objects !== oids.length) {
    throw new Error(`compacted pack holds ${indexed.objects} objects, expected ${oids.length}`);
  }
  const filename = `pack-${indexed.checksum.toString('hex')}.pack`;
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
  return { packsBefore, objects: oids.length, packBytes: packfile.length, packFile: join(packDir, filename) };
}

/** Every object the heads reach: commits down to the shallow boundary, then their trees and blobs. */
async function reachableObjects(gitdir: string, heads: readonly string[], objects: ObjectSource): Promise<string[]> {
  const shallow = await readShallow(gitdir);
  const seen = new Set<string>();
  const trees: string[] = [];
  const commits = [...heads];
  for (let oid = commits.pop(); oid !== undefined; oid = commits.pop()) {
    if (seen.has(oid)) continue;
    let commit: GitObject;
    try {
      commit = await objects.read(oid);
    } catch (error) {
      // A parent past the boundary of a shallow fetch is simply not here.
      if (error instanceof Errors.NotFoundError) continue;
      throw error;
    }
    seen.add(oid);
    const blank = commit.content.indexOf('\n\n');
    const headers = commit.content.toString('latin1', 0, blank < 0 ? commit.content.length : blank);
    for (const [, field, value] of headers.matchAll(/^(tree|parent) ([0-9a-f]{40})$/gm)) {
      if (field === 'tree' && value) trees.push(value);
      else if (value && !shallow.has(oid)) commits.push(value);
    }
  }
  for (let oid = trees.pop(); oid !== undefined; oid = trees.pop()) {
    if (seen.has(oid)) continue;
    seen.add(oid);
    for (const entry of parseTreeObject((await objects.read(oid)).content)) {
      if (entry.kind === 'tree') trees.push(entry.oid);
      else if (entry.kind === 'blob' || entry.kind === 'symlink') seen.add(entry.oid);
    }
  }
  return [...seen];
}

const TYPE_NUMBERS: Readonly<Record<string, number>> = { commit: 1, tree: 2, blob: 3, tag: 4 };

/** A version-2 pack of `oids`, every object whole (no deltas), deflated natively. */
async function writePack(oids: readonly string[], objects: ObjectSource): Promise<Buffer> {
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(oids.length, 8);
  const parts: Buffer[] = [header];
  for (const oid of oids) {
    const { type, content } = await objects.read(oid);
    const number = TYPE_NUMBERS[type];
    if (number === undefined) throw new Error(`object ${oid} has type ${type}, which a pack cannot hold`);
    parts.push(entryHeader(number, content.length), deflateSync(content));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}

/** Type in bits 4-6 of the first byte, size in its low 4 bits and then 7 bits a byte, little end first. */
function entryHeader(type: number, size: number): Buffer {
  const bytes = [(type << 4) | (size & 0x0f)];
  for (let rest = Math.floor(size / 16); rest > 0; rest = Math.floor(rest / 128)) {
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) | 0x80;
    bytes.push(rest & 0x7f);
  }
  return Buffer.from(bytes);
}
