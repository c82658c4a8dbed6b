import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, inflateSync } from 'node:zlib';
import { OBJECT_TYPES, PackEntryType } from './pack-entry.js';
import type { PackSet } from './pack-set.js';

/**
 * Sizes of objects in a git directory, read from object headers without inflating the objects,
 * so that an oversized blob is refused before any of its content is loaded.
 *
 * A packed object's size is in its pack entry header (`PackSet`, which checks every pack against
 * its checksum before its first use: a size decides whether a revision is refused for good, so it
 * must not come from a damaged file). A delta entry's header gives the size of the delta, not of
 * the object; the object's size is the second varint of the delta data, so only the first bytes
 * of that zlib stream are inflated. A loose object's size is in its (deflated)
 * `<type> <size>\0` header, the first bytes of the file.
 */
export class ObjectSizes {
  constructor(
    private readonly gitdir: string,
    private readonly packs: PackSet,
  ) {}

  /** The object's content size in bytes, or undefined if the headers do not tell it (the caller then measures the content). */
  async sizeOf(oid: string): Promise<number | undefined> {
    const location = await this.packs.locate(oid);
    if (location === undefined) return this.looseSize(oid);
    const entry = await this.packs.entry(location.pack, location.offset);
    if (OBJECT_TYPES[entry.type] !== undefined) return entry.size;
    if (entry.type !== PackEntryType.ofsDelta && entry.type !== PackEntryType.refDelta) return undefined;
    // The delta's zlib stream starts with two varints: base size, then result size.
    for (const window of [64, 1024, 16 * 1024]) {
      const sizes = readVarints(partialInflate(entry.data.subarray(0, window)), 2);
      if (sizes !== undefined) return sizes[1];
      if (entry.data.length <= window) break;
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

/** Enough output for the delta header; more would only mean a hostile stream. */
const MAX_PARTIAL_OUTPUT = 1024 * 1024;

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
