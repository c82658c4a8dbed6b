import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEntryHeader } from './pack-entry.js';
import { PackIndex } from './pack-index.js';

/** One entry of a pack, its header decoded; `data` is the zlib stream, exactly as long as the entry. */
export interface PackEntry {
  pack: PackIndex;
  offset: number;
  type: number;
  /** The inflated size of `data`: the object's size, or the delta's for a delta entry. */
  size: number;
  /** For an OFS_DELTA, the base's offset in the same pack. */
  baseOffset?: number;
  /** For a REF_DELTA, the base's SHA. */
  baseOid?: string;
  data: Buffer;
}

/**
 * The packs of a git directory for one read: listed once, each index checked against its SHA-1
 * trailer and each pack hashed in full (as a stream) before its first use, so nothing is decoded
 * from a damaged file; `verified` (pack paths already checked) outlives the set, as a pack never
 * changes under its name, which is its hash.
 *
 * Pack bytes are read in aligned windows kept until `close` (up to `MAX_WINDOWS`), so reading
 * many small objects costs a few large reads instead of one read per object.
 */
export class PackSet {
  private packs: Promise<PackIndex[]> | undefined;
  private readonly files = new Map<string, Promise<{ handle: FileHandle; size: number }>>();
  private readonly windows = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly gitdir: string,
    private readonly verified: Set<string>,
  ) {}

  /** Which pack holds the object, and where; undefined when no version-2 index lists it. */
  async locate(oid: string): Promise<{ pack: PackIndex; offset: number } | undefined> {
    const target = Buffer.from(oid, 'hex');
    for (const pack of await (this.packs ??= this.loadIndexes())) {
      const offset = pack.offsetOf(target);
      if (offset !== undefined) return { pack, offset };
    }
    return undefined;
  }

  /** The entry at `offset`, header decoded; a header that cannot be decoded throws, as damage. */
  async entry(pack: PackIndex, offset: number): Promise<PackEntry> {
    const { size: packSize } = await this.file(pack);
    const end = pack.entryEnd(offset, packSize);
    if (offset < 12 || end <= offset || end > packSize - 20) throw damaged(pack, offset, 'its offset is outside the pack');
    const bytes = await this.bytes(pack, offset, end);
    let header;
    try {
      header = parseEntryHeader(bytes, 0);
    } catch (error) {
      throw damaged(pack, offset, error instanceof Error ? error.message : String(error));
    }
    const { type, size, dataStart, baseDistance, baseOid } = header;
    const entry: PackEntry = { pack, offset, type, size, data: bytes.subarray(dataStart) };
    if (baseDistance !== undefined) {
      if (baseDistance > offset - 12) throw damaged(pack, offset, 'its delta base is outside the pack');
      entry.baseOffset = offset - baseDistance;
    }
    if (baseOid !== undefined) entry.baseOid = baseOid;
    return entry;
  }

  async close(): Promise<void> {
    const files = [...this.files.values()];
    this.files.clear();
    this.windows.clear();
    await Promise.all(files.map(async (file) => (await file.catch(() => undefined))?.handle.close()));
  }

  private async loadIndexes(): Promise<PackIndex[]> {
    const dir = join(this.gitdir, 'objects', 'pack');
    const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.idx')).sort();
    const packs: PackIndex[] = [];
    for (const name of names) {
      const bytes = await readFile(join(dir, name)).catch(() => undefined);
      const pack = bytes && PackIndex.parse(join(dir, name.replace(/\.idx$/, '.pack')), bytes);
      if (pack === undefined) continue;
      if (!this.verified.has(pack.packFile) && !pack.trailerMatches()) throw new Error(`pack index ${name} is damaged`);
      packs.push(pack);
    }
    return packs;
  }

  /** The open pack file, hashed first if this process has not checked it yet. */
  private file(pack: PackIndex): Promise<{ handle: FileHandle; size: number }> {
    let file = this.files.get(pack.packFile);
    if (!file) {
      file = this.openVerified(pack);
      this.files.set(pack.packFile, file);
    }
    return file;
  }

  private async openVerified(pack: PackIndex): Promise<{ handle: FileHandle; size: number }> {
    const handle = await open(pack.packFile, 'r');
    try {
      const { size } = await handle.stat();
      if (!this.verified.has(pack.packFile)) {
        await verifyPack(pack, size);
        this.verified.add(pack.packFile);
      }
      return { handle, size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  private async bytes(pack: PackIndex, start: number, end: number): Promise<Buffer> {
    const { handle } = await this.file(pack);
    const window = Math.floor(start / WINDOW);
    if (end - window * WINDOW > WINDOW) return readExactly(handle, start, end);
    const key = `${window}:${pack.packFile}`;
    let bytes = this.windows.get(key);
    if (!bytes) {
      bytes = readExactly(handle, window * WINDOW, window * WINDOW + WINDOW, { partial: true });
      this.windows.set(key, bytes);
      // Oldest first: reads go through a pack roughly in order, so the oldest is least likely needed again.
      for (const old of this.windows.keys()) {
        if (this.windows.size <= MAX_WINDOWS) break;
        this.windows.delete(old);
      }
    }
    const from = start - window * WINDOW;
    return (await bytes).subarray(from, from + end - start);
  }
}

const WINDOW = 1024 * 1024;
const MAX_WINDOWS = 16;

/** A pack entry that cannot be decoded: the cache is damaged, and the caller rebuilds it. */
export function damaged(pack: PackIndex, offset: number, reason: string): Error {
  return new Error(`pack ${pack.packFile} is damaged: the entry at offset ${offset} is unreadable, ${reason}`);
}

/** Reads `[start, end)`; with `partial`, a read cut short by the end of the file is not an error. */
async function readExactly(handle: FileHandle, start: number, end: number, options: { partial?: boolean } = {}): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(end - start);
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  if (filled < buffer.length && !options.partial) throw new Error(`unexpected end of file reading bytes ${start}-${end}`);
  return buffer.subarray(0, filled);
}

/** Hashes the pack as a stream (it may be large) and compares with its trailer and its index's record of it. */
async function verifyPack(pack: PackIndex, size: number): Promise<void> {
  const hash = createHash('sha1');
  let trailer = Buffer.alloc(0);
  if (size > 20) {
    for await (const chunk of createReadStream(pack.packFile, { end: size - 1 })) {
      // The last 20 bytes are the trailer, not hashed; they may straddle two chunks.
      const joined = Buffer.concat([trailer, chunk as Buffer]);
      hash.update(joined.subarray(0, Math.max(0, joined.length - 20)));
      trailer = joined.subarray(Math.max(0, joined.length - 20));
    }
  }
  const actual = hash.digest();
  if (size <= 20 || !actual.equals(trailer) || !actual.equals(pack.packChecksum)) {
    throw new Error(`pack ${pack.packFile} is damaged: its content does not match its checksum`);
  }
}
