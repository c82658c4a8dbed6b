import { createHash } from 'node:crypto';
import { applyDelta } from './delta.js';
import { ObjectCache } from './object-cache.js';
import { inflateEntry, OBJECT_TYPES, PackEntryType } from './pack-entry.js';
import { damaged } from './pack-set.js';
import type { PackEntry, PackSet } from './pack-set.js';
import type { PackIndex } from './pack-index.js';

export interface GitObject {
  type: string;
  content: Buffer;
}

/** How objects no version-2 index lists are read (loose objects): isomorphic-git, which throws its NotFoundError for a missing one. */
export type FallbackRead = (oid: string) => Promise<GitObject>;

/**
 * Whole objects read straight from the packs with native zlib, deltas resolved, for one read of
 * a tree. isomorphic-git's own path costs a loose-object lookup (and its ENOENT), a directory
 * listing and a pure-JS inflate per object, which dominated the time of reading a large tree.
 *
 * Each object is checked against its name: the SHA-1 of `<type> <size>\0<content>` must be the
 * oid asked for. That costs little next to the inflate, and it catches what the pack checksum
 * cannot, such as an index that points at the wrong entry, or a wrong delta resolution.
 *
 * Resolved delta bases are kept (up to `BASE_CACHE_BYTES`), as a chain's bases are shared by the
 * other objects built on them.
 */
export class PackedObjects {
  private readonly bases = new ObjectCache<string>(BASE_CACHE_BYTES);

  constructor(
    private readonly packs: PackSet,
    private readonly fallback: FallbackRead,
  ) {}

  async read(oid: string): Promise<GitObject> {
    const location = await this.packs.locate(oid);
    const object = location ? await this.resolve(location.pack, location.offset) : await this.fallback(oid);
    const hash = createHash('sha1').update(`${object.type} ${object.content.length}\0`).update(object.content).digest('hex');
    if (hash !== oid) {
      const where = location ? `pack ${location.pack.packFile} at offset ${location.offset}` : 'the loose objects';
      throw new Error(`object ${oid} in ${where} is damaged: its content hashes to ${hash}`);
    }
    return object;
  }

  /** The object at `offset`: its chain of deltas walked down to a whole object (or a cached base), then applied upwards. */
  private async resolve(pack: PackIndex, offset: number): Promise<GitObject> {
    const deltas: Array<{ key: string; entry: PackEntry }> = [];
    let at = { pack, offset };
    let base: GitObject | undefined;
    while (base === undefined) {
      const key = `${at.offset}:${at.pack.packFile}`;
      base = this.bases.get(key);
      if (base !== undefined) break;
      const entry = await this.packs.entry(at.pack, at.offset);
      const type = OBJECT_TYPES[entry.type];
      if (type !== undefined) {
        base = { type, content: inflate(entry) };
        // A whole object under deltas is a base the next objects of its chain are likely to share.
        if (deltas.length > 0) this.bases.set(key, base);
        break;
      }
      deltas.push({ key, entry });
      if (deltas.length > MAX_CHAIN) throw damaged(pack, offset, `its delta chain is longer than ${MAX_CHAIN}`);
      if (entry.type === PackEntryType.ofsDelta) {
        at = { pack: at.pack, offset: entry.baseOffset ?? 0 };
        continue;
      }
      const oid = entry.baseOid ?? '';
      const located = await this.packs.locate(oid);
      // A base outside the packs (a thin pack's, kept loose) is read and checked like any object.
      if (located === undefined) base = await this.read(oid);
      else at = located;
    }
    for (let index = deltas.length - 1; index >= 0; index--) {
      const delta = deltas[index];
      if (delta === undefined) break;
      const { key, entry } = delta;
      let content: Buffer;
      try {
        content = applyDelta(base.content, inflate(entry));
      } catch (error) {
        throw damaged(entry.pack, entry.offset, error instanceof Error ? error.message : String(error));
      }
      base = { type: base.type, content };
      // Every object but the one asked for is another delta's base.
      if (index > 0) this.bases.set(key, base);
    }
    return base;
  }
}

const BASE_CACHE_BYTES = 32 * 1024 * 1024;
/** Git's own limit on delta chains is 4095 by default; past this one the pack is taken as damaged (or hostile). */
const MAX_CHAIN = 10_000;

/** The entry's zlib data inflated natively; it must inflate to exactly the size its header states. */
function inflate(entry: PackEntry): Buffer {
  let content: Buffer;
  try {
    content = inflateEntry(entry.data, entry.size).content;
  } catch (error) {
    throw damaged(entry.pack, entry.offset, `its data does not inflate (${error instanceof Error ? error.message : String(error)})`);
  }
  if (content.length !== entry.size) {
    throw damaged(entry.pack, entry.offset, `it inflates to ${content.length} bytes, its header says ${entry.size}`);
  }
  return content;
}
