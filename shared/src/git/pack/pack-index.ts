import { createHash } from 'node:crypto';

const IDX_MAGIC = 0xff744f63;
const FANOUT = 8;
const IDX_HEADER = FANOUT + 256 * 4;

/**
 * A version-2 pack index (`.idx`): fan-out table, sorted SHAs, CRCs, offsets, large offsets,
 * then the pack's checksum and the index's own. Only lookups are implemented; the index is kept
 * as the file's bytes, so opening one costs a read and no parsing.
 */
export class PackIndex {
  readonly count: number;
  private readonly offsetsAt: number;
  /** Every entry's offset in ascending order, built on the first `entryEnd`. */
  private sorted: Float64Array | undefined;

  private constructor(
    readonly packFile: string,
    private readonly idx: Buffer,
  ) {
    this.count = idx.readUInt32BE(FANOUT + 255 * 4);
    this.offsetsAt = IDX_HEADER + this.count * 24;
  }

  /** The index in `bytes`, or undefined for anything but a complete version-2 index (left to isomorphic-git). */
  static parse(packFile: string, bytes: Buffer): PackIndex | undefined {
    if (bytes.length < IDX_HEADER + 40 || bytes.readUInt32BE(0) !== IDX_MAGIC || bytes.readUInt32BE(4) !== 2) return undefined;
    const count = bytes.readUInt32BE(FANOUT + 255 * 4);
    return bytes.length >= IDX_HEADER + count * 28 + 40 ? new PackIndex(packFile, bytes) : undefined;
  }

  /** The pack's SHA-1 as the index records it. */
  get packChecksum(): Buffer {
    return this.idx.subarray(-40, -20);
  }

  /** Whether the index's last 20 bytes are the SHA-1 of the rest. */
  trailerMatches(): boolean {
    return trailerMatches(this.idx);
  }

  /** Binary search of the sorted SHA table between the fan-out bounds; the entry's pack offset. */
  offsetOf(oid: Buffer): number | undefined {
    const { idx } = this;
    const first = oid[0] ?? 0;
    let low = first === 0 ? 0 : idx.readUInt32BE(FANOUT + (first - 1) * 4);
    let high = idx.readUInt32BE(FANOUT + first * 4);
    while (low < high) {
      const middle = (low + high) >>> 1;
      const at = IDX_HEADER + middle * 20;
      const order = idx.compare(oid, 0, 20, at, at + 20);
      if (order === 0) return this.offsetAt(middle);
      if (order > 0) high = middle;
      else low = middle + 1;
    }
    return undefined;
  }

  /**
   * Where the entry at `offset` ends: at the next entry, or at the pack's trailer. Git writes
   * entries back to back, so this bounds the entry's compressed data exactly.
   */
  entryEnd(offset: number, packSize: number): number {
    const sorted = (this.sorted ??= this.sortedOffsets());
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((sorted[middle] ?? 0) <= offset) low = middle + 1;
      else high = middle;
    }
    return sorted[low] ?? packSize - 20;
  }

  private offsetAt(position: number): number | undefined {
    const small = this.idx.readUInt32BE(this.offsetsAt + position * 4);
    if ((small & 0x80000000) === 0) return small;
    // Packs over 2 GiB keep the offset in a table of 8-byte values after the 4-byte ones.
    const large = this.offsetsAt + this.count * 4 + (small & 0x7fffffff) * 8;
    return large + 8 <= this.idx.length - 40 ? Number(this.idx.readBigUInt64BE(large)) : undefined;
  }

  private sortedOffsets(): Float64Array {
    const offsets = new Float64Array(this.count);
    let valid = 0;
    for (let position = 0; position < this.count; position++) {
      const offset = this.offsetAt(position);
      if (offset !== undefined) offsets[valid++] = offset;
    }
    return offsets.subarray(0, valid).sort();
  }
}

/** Whether a file's last 20 bytes are the SHA-1 of the rest, as Git ends packs and indexes. */
export function trailerMatches(content: Buffer): boolean {
  return createHash('sha1').update(content.subarray(0, -20)).digest().equals(content.subarray(-20));
}
