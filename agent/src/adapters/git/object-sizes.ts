import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, inflateSync } from 'node:zlib';

/**
 * Sizes of objects in a git directory, read from object headers without inflating the objects,
 * so that an oversized blob is refused before any of its content is loaded.
 *
 * A packed object is found through the pack's `.idx` (version 2: fan-out table, sorted SHAs,
 * offsets) and its size read from the entry header in the `.pack`. A delta entry's header gives
 * the size of the delta, not of the object; the object's size is the second varint of the delta
 * data, so only the first bytes of that zlib stream are inflated. A loose object's size is in
 * its (deflated) `<type> <size>\0` header, the first bytes of the file.
 *
 * A size decides whether a revision is refused for good, so it must not come from a damaged file:
 * every index and pack is checked against its SHA-1 trailer before its first use (the pack is
 * hashed as a stream), and a mismatch throws, as a cache that cannot be read.
 *
 * Meant for one tree read: it lists the packs once and keeps their indexes and file handles
 * until `close`. `verified` (pack file paths already checked) outlives it; packs never change
 * under one name, as the name is the hash of the content.
 */
export class ObjectSizes {
  private packs: Promise<PackIndex[]> | undefined;
  private readonly handles = new Map<string, Promise<FileHandle>>();

  constructor(
    private readonly gitdir: string,
    private readonly verified: Set<string>,
  ) {}

  /** The object's content size in bytes, or undefined if the headers do not tell it (the caller then measures the content). */
  async sizeOf(oid: string): Promise<number | undefined> {
    const target = Buffer.from(oid, 'hex');
    for (const pack of await (this.packs ??= this.loadIndexes())) {
      const offset = findOffset(pack.idx, target);
      if (offset !== undefined) return this.packedSize(pack, offset);
    }
    return this.looseSize(oid);
  }

  async close(): Promise<void> {
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map(async (handle) => (await handle.catch(() => undefined))?.close()));
  }

  private async loadIndexes(): Promise<PackIndex[]> {
    const dir = join(this.gitdir, 'objects', 'pack');
    const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.idx')).sort();
    const packs: PackIndex[] = [];
    for (const name of names) {
      const idx = await readFile(join(dir, name)).catch(() => undefined);
      // Anything but a version-2 index is left to isomorphic-git, which reads or rejects it.
      if (idx && idx.length >= IDX_HEADER + 40 && idx.readUInt32BE(0) === IDX_MAGIC && idx.readUInt32BE(4) === 2) {
        const packFile = join(dir, name.replace(/\.idx$/, '.pack'));
        if (!this.verified.has(packFile) && !trailerMatches(idx)) throw new Error(`pack index ${name} is damaged`);
        packs.push({ idx, packFile });
      }
    }
    return packs;
  }

  private async packedSize(pack: PackIndex, offset: number): Promise<number | undefined> {
    const { packFile } = pack;
    if (!this.verified.has(packFile)) {
      await verifyPack(packFile, pack.idx.subarray(-40, -20));
      this.verified.add(packFile);
    }
    let handle = this.handles.get(packFile);
    if (!handle) {
      handle = open(packFile, 'r');
      this.handles.set(packFile, handle);
    }
    const file = await handle;
    const head = Buffer.alloc(32);
    const { bytesRead } = await file.read(head, 0, head.length, offset);
    const header = readEntryHeader(head.subarray(0, bytesRead));
    if (header === undefined) return undefined;
    if (header.type >= 1 && header.type <= 4) return header.size;
    if (header.type !== OFS_DELTA && header.type !== REF_DELTA) return undefined;
    // The delta's zlib stream starts with two varints: base size, then result size.
    for (const window of [64, 1024, 16 * 1024]) {
      const compressed = Buffer.alloc(window);
      const read = await file.read(compressed, 0, window, offset + header.dataOffset);
      const sizes = readVarints(partialInflate(compressed.subarray(0, read.bytesRead)), 2);
      if (sizes !== undefined) return sizes[1];
      if (read.bytesRead < window) break;
    }
    return undefined;
  }

  private async looseSize(oid: string): Promise<number | undefined> {
    const file = join(this.gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch {
      return undefined;
    }
    try {
      const compressed = Buffer.alloc(256);
      const { bytesRead } = await handle.read(compressed, 0, compressed.length, 0);
      const text = partialInflate(compressed.subarray(0, bytesRead)).toString('latin1');
      const match = /^[a-z]+ (\d+)\0/.exec(text);
      return match?.[1] === undefined ? undefined : Number(match[1]);
    } finally {
      await handle.close();
    }
  }
}

interface PackIndex {
  idx: Buffer;
  packFile: string;
}

const IDX_MAGIC = 0xff744f63;
const FANOUT = 8;
const IDX_HEADER = FANOUT + 256 * 4;
const OFS_DELTA = 6;
const REF_DELTA = 7;
/** Enough output for the delta header; more would only mean a hostile stream. */
const MAX_PARTIAL_OUTPUT = 1024 * 1024;

/** Whether a file's last 20 bytes are the SHA-1 of the rest, as Git ends packs and indexes. */
function trailerMatches(content: Buffer): boolean {
  return createHash('sha1').update(content.subarray(0, -20)).digest().equals(content.subarray(-20));
}

/** Hashes the pack as a stream (it may be large) and compares with its trailer and its index's record of it. */
async function verifyPack(packFile: string, expected: Buffer): Promise<void> {
  const { size } = await stat(packFile);
  const hash = createHash('sha1');
  if (size > 20) for await (const chunk of createReadStream(packFile, { end: size - 21 })) hash.update(chunk as Buffer);
  const trailer = Buffer.alloc(20);
  const handle = await open(packFile, 'r');
  try {
    await handle.read(trailer, 0, 20, Math.max(0, size - 20));
  } finally {
    await handle.close();
  }
  const actual = hash.digest();
  if (size <= 20 || !actual.equals(trailer) || !actual.equals(expected)) {
    throw new Error(`pack ${packFile} is damaged: its content does not match its checksum`);
  }
}

/** Binary search of the sorted SHA table between the fan-out bounds; the entry's pack offset. */
function findOffset(idx: Buffer, oid: Buffer): number | undefined {
  const count = idx.readUInt32BE(FANOUT + 255 * 4);
  const first = oid[0] ?? 0;
  let low = first === 0 ? 0 : idx.readUInt32BE(FANOUT + (first - 1) * 4);
  let high = idx.readUInt32BE(FANOUT + first * 4);
  const shas = IDX_HEADER;
  const offsets = shas + count * 20 + count * 4;
  if (idx.length < offsets + count * 4) return undefined;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = idx.compare(oid, 0, 20, shas + middle * 20, shas + middle * 20 + 20);
    if (order === 0) {
      const small = idx.readUInt32BE(offsets + middle * 4);
      if ((small & 0x80000000) === 0) return small;
      // Packs over 2 GiB keep the offset in a table of 8-byte values after the 4-byte ones.
      const large = offsets + count * 4 + (small & 0x7fffffff) * 8;
      return large + 8 <= idx.length ? Number(idx.readBigUInt64BE(large)) : undefined;
    }
    if (order > 0) high = middle;
    else low = middle + 1;
  }
  return undefined;
}

/** A pack entry's type, size field and where its zlib data starts (after any delta base reference). */
function readEntryHeader(bytes: Buffer): { type: number; size: number; dataOffset: number } | undefined {
  let position = 0;
  let byte = bytes[position++];
  if (byte === undefined) return undefined;
  const type = (byte >> 4) & 7;
  let size = byte & 0x0f;
  let scale = 16;
  while (byte & 0x80) {
    byte = bytes[position++];
    if (byte === undefined) return undefined;
    size += (byte & 0x7f) * scale;
    scale *= 128;
  }
  if (type === OFS_DELTA) {
    do {
      byte = bytes[position++];
      if (byte === undefined) return undefined;
    } while (byte & 0x80);
  } else if (type === REF_DELTA) {
    position += 20;
  }
  return { type, size, dataOffset: position };
}

/** Little-endian base-128 varints as Git's delta format writes them; undefined if the bytes run out. */
function readVarints(bytes: Buffer, count: number): number[] | undefined {
  const values: number[] = [];
  let position = 0;
  while (values.length < count) {
    let value = 0;
    let scale = 1;
    let byte: number | undefined;
    do {
      byte = bytes[position++];
      if (byte === undefined) return undefined;
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    values.push(value);
  }
  return values;
}

/** Inflates the start of a zlib stream from a prefix of it; whatever output that prefix yields. */
function partialInflate(prefix: Buffer): Buffer {
  try {
    return inflateSync(prefix, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_PARTIAL_OUTPUT });
  } catch {
    return Buffer.alloc(0);
  }
}
