import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyDelta } from './delta.js';
import { ObjectCache } from './object-cache.js';
import { inflateEntry, OBJECT_TYPES, parseEntryHeader, PackEntryType } from './pack-entry.js';
import type { EntryHeader } from './pack-entry.js';
import type { GitObject } from './packed-objects.js';

/** Reads a delta base that is not in the pack (a thin pack's); undefined when it is nowhere. */
export type ExternalBase = (oid: string) => Promise<GitObject | undefined>;

/**
 * Writes a pack received from a server into `objects/pack` with a version-2 index built here,
 * as `git index-pack` would; returns the pack's path, or undefined for a pack with no objects.
 * The pack first, the index last, each renamed into place: a pack without its index is invisible
 * to readers, so a kill at any point leaves the cache as it was or complete.
 */
export async function storeReceivedPack(gitdir: string, pack: Buffer, external: ExternalBase): Promise<string | undefined> {
  const { idx, checksum, objects } = await indexPack(pack, external);
  if (objects === 0) return undefined;
  const base = join(gitdir, 'objects', 'pack', `pack-${checksum.toString('hex')}`);
  // Temporary names end in neither `.pack` nor `.idx`: no reader lists them, and compaction removes strays.
  await writeFile(`${base}.pack.tmp`, pack);
  await rename(`${base}.pack.tmp`, `${base}.pack`);
  await writeFile(`${base}.idx.tmp`, idx);
  await rename(`${base}.idx.tmp`, `${base}.idx`);
  return `${base}.pack`;
}

interface Entry extends EntryHeader {
  offset: number;
  end: number;
  oid?: string;
}

/**
 * Indexes a whole pack in memory: every entry inflated once with native zlib, hashed, deltas
 * applied to bases kept in a bounded cache (git writes a delta after its base, so most resolve
 * at once); the rest are resolved by walking their chains afterwards. isomorphic-git's own
 * indexer (pako, and an asynchronous WebCrypto hash per object) took most of a first fetch.
 */
export async function indexPack(pack: Buffer, external: ExternalBase): Promise<{ idx: Buffer; checksum: Buffer; objects: number }> {
  if (pack.length < 32 || pack.toString('latin1', 0, 4) !== 'PACK' || ![2, 3].includes(pack.readUInt32BE(4))) {
    throw new Error('received pack is malformed: no version 2 or 3 PACK header');
  }
  const checksum = createHash('sha1').update(pack.subarray(0, -20)).digest();
  if (!checksum.equals(pack.subarray(-20))) throw new Error('received pack is damaged: its content does not match its checksum');
  const count = pack.readUInt32BE(8);
  const indexer = new Indexer(pack, external);
  let position = 12;
  for (let index = 0; index < count; index++) position = indexer.add(position);
  if (position !== pack.length - 20) throw new Error(`received pack is damaged: ${pack.length - 20 - position} bytes after its last entry`);
  await indexer.resolveRest();
  return { idx: writeIndex(pack, indexer.entries, checksum), checksum, objects: count };
}

class Indexer {
  readonly entries: Entry[] = [];
  private readonly byOffset = new Map<number, Entry>();
  private readonly byOid = new Map<string, Entry>();
  private readonly cache = new ObjectCache<number>(32 * 1024 * 1024);

  constructor(
    private readonly pack: Buffer,
    private readonly external: ExternalBase,
  ) {}

  /** Reads the entry at `offset`, resolving it if its base is at hand; returns where the next entry starts. */
  add(offset: number): number {
    const header = this.guard(offset, () => parseEntryHeader(this.pack, offset));
    if (header.baseDistance !== undefined && header.baseDistance > offset - 12) throw damaged(offset, 'its delta base is outside the pack');
    const { content, consumed } = this.guard(offset, () => inflateEntry(this.pack.subarray(header.dataStart, this.pack.length - 20), header.size));
    if (content.length !== header.size) throw damaged(offset, `it inflates to ${content.length} bytes, its header says ${header.size}`);
    const entry: Entry = { ...header, offset, end: header.dataStart + consumed };
    this.entries.push(entry);
    this.byOffset.set(offset, entry);
    const type = OBJECT_TYPES[header.type];
    const base = type !== undefined ? undefined : this.cache.get(this.baseEntry(entry)?.offset ?? -1);
    if (type !== undefined) this.resolved(entry, { type, content });
    else if (base !== undefined) this.resolved(entry, { type: base.type, content: this.guard(offset, () => applyDelta(base.content, content)) });
    return entry.end;
  }

  /** Resolves the deltas whose base came later or was pushed out of the cache, by walking their chains. */
  async resolveRest(): Promise<void> {
    let pending = this.entries.filter((entry) => entry.oid === undefined);
    // REF_DELTA bases may be deltas resolved in an earlier round; outside bases are asked for only when nothing moves.
    for (let useExternal = false; pending.length > 0; ) {
      const left: Entry[] = [];
      for (const entry of pending) if (!(await this.resolveChain(entry, useExternal))) left.push(entry);
      if (left.length === pending.length && useExternal) throw damaged(left[0]?.offset ?? 0, 'its delta base is in neither the pack nor the cache');
      useExternal = left.length === pending.length;
      pending = left;
    }
  }

  private async resolveChain(entry: Entry, useExternal: boolean): Promise<boolean> {
    const chain: Entry[] = [];
    let at = entry;
    let base: GitObject | undefined;
    while (base === undefined) {
      base = this.cache.get(at.offset);
      if (base !== undefined) break;
      const type = OBJECT_TYPES[at.type];
      if (type !== undefined) {
        base = { type, content: this.inflate(at) };
        break;
      }
      chain.push(at);
      if (chain.length > this.entries.length) throw damaged(entry.offset, 'its delta chain loops');
      const next = this.baseEntry(at);
      if (next !== undefined) {
        at = next;
        continue;
      }
      if (at.baseOid === undefined) throw damaged(entry.offset, 'its delta base is not an entry of the pack');
      if (!useExternal) return false;
      base = await this.external(at.baseOid);
      if (base === undefined) return false;
    }
    for (let index = chain.length - 1; index >= 0; index--) {
      const delta = chain[index];
      if (delta === undefined) break;
      const source: GitObject = base;
      base = { type: source.type, content: this.guard(delta.offset, () => applyDelta(source.content, this.inflate(delta))) };
      this.resolved(delta, base);
    }
    return true;
  }

  private baseEntry(entry: Entry): Entry | undefined {
    if (entry.baseDistance !== undefined) return this.byOffset.get(entry.offset - entry.baseDistance);
    if (entry.type === PackEntryType.refDelta && entry.baseOid !== undefined) return this.byOid.get(entry.baseOid);
    return undefined;
  }

  private resolved(entry: Entry, object: GitObject): void {
    entry.oid ??= createHash('sha1').update(`${object.type} ${object.content.length}\0`).update(object.content).digest('hex');
    this.byOid.set(entry.oid, entry);
    this.cache.set(entry.offset, object);
  }

  private inflate(entry: Entry): Buffer {
    const { content } = this.guard(entry.offset, () => inflateEntry(this.pack.subarray(entry.dataStart, entry.end), entry.size));
    if (content.length !== entry.size) throw damaged(entry.offset, `it inflates to ${content.length} bytes, its header says ${entry.size}`);
    return content;
  }

  private guard<T>(offset: number, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw damaged(offset, error instanceof Error ? error.message : String(error));
    }
  }
}

function damaged(offset: number, reason: string): Error {
  return new Error(`received pack is damaged: the entry at offset ${offset} is unreadable, ${reason}`);
}

/** A version-2 index: fan-out, sorted SHAs, CRC-32s of the raw entries, offsets (large ones apart), checksums. */
function writeIndex(pack: Buffer, entries: readonly Entry[], packChecksum: Buffer): Buffer {
  const sorted = [...entries].sort((a, b) => ((a.oid ?? '') < (b.oid ?? '') ? -1 : (a.oid ?? '') > (b.oid ?? '') ? 1 : 0));
  const count = sorted.length;
  const large = sorted.filter((entry) => entry.offset >= LARGE_OFFSET).length;
  const idx = Buffer.alloc(8 + 256 * 4 + count * 28 + large * 8 + 40);
  idx.writeUInt32BE(0xff744f63, 0);
  idx.writeUInt32BE(2, 4);
  const shas = 8 + 256 * 4;
  const crcs = shas + count * 20;
  const offsets = crcs + count * 4;
  const largeOffsets = offsets + count * 4;
  const fanout = new Uint32Array(256);
  let largeCount = 0;
  sorted.forEach((entry, position) => {
    const oid = entry.oid ?? '';
    idx.write(oid, shas + position * 20, 'hex');
    const first = parseInt(oid.slice(0, 2), 16);
    fanout[first] = (fanout[first] ?? 0) + 1;
    idx.writeUInt32BE(crc32(pack.subarray(entry.offset, entry.end)), crcs + position * 4);
    if (entry.offset < LARGE_OFFSET) {
      idx.writeUInt32BE(entry.offset, offsets + position * 4);
    } else {
      idx.writeUInt32BE((LARGE_OFFSET | largeCount) >>> 0, offsets + position * 4);
      idx.writeBigUInt64BE(BigInt(entry.offset), largeOffsets + largeCount++ * 8);
    }
  });
  let total = 0;
  for (let byte = 0; byte < 256; byte++) idx.writeUInt32BE((total += fanout[byte] ?? 0), 8 + byte * 4);
  packChecksum.copy(idx, idx.length - 40);
  createHash('sha1').update(idx.subarray(0, -20)).digest().copy(idx, idx.length - 20);
  return idx;
}

const LARGE_OFFSET = 0x80000000;

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, byte) => {
  let value = byte;
  for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  return value >>> 0;
});

/** CRC-32 (the zlib polynomial), as the index records for each raw entry. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
