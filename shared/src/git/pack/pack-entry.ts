import { inflateSync } from 'node:zlib';

export const PackEntryType = { commit: 1, tree: 2, blob: 3, tag: 4, ofsDelta: 6, refDelta: 7 } as const;

/** Object type names by pack entry type, for the four types that are whole objects. */
export const OBJECT_TYPES: Readonly<Record<number, string>> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };

/** A pack entry's header: type, inflated size, where its zlib data starts, and a delta's base. */
export interface EntryHeader {
  type: number;
  /** The inflated size of the entry's data: the object's size, or the delta's for a delta entry. */
  size: number;
  dataStart: number;
  /** For an OFS_DELTA, how far before the entry its base starts (positive, not checked against the pack's start). */
  baseDistance?: number;
  /** For a REF_DELTA, the base's SHA. */
  baseOid?: string;
}

/**
 * Decodes the entry header at `position`. Throws (with a reason, for the caller to wrap as
 * damage) on a truncated header or a type that is not a Git object type.
 */
export function parseEntryHeader(bytes: Uint8Array, position: number): EntryHeader {
  let at = position;
  const next = (): number => {
    const byte = bytes[at++];
    if (byte === undefined) throw new Error('its header is truncated');
    return byte;
  };
  let byte = next();
  const type = (byte >> 4) & 7;
  let size = byte & 0x0f;
  for (let scale = 16; byte & 0x80; scale *= 128) {
    byte = next();
    size += (byte & 0x7f) * scale;
  }
  if (type === PackEntryType.ofsDelta) {
    // Big-endian base-128 with an implicit +1 per continuation byte (git's `get_delta_base`).
    byte = next();
    let distance = byte & 0x7f;
    while (byte & 0x80) {
      byte = next();
      distance = (distance + 1) * 128 + (byte & 0x7f);
    }
    // Only a positive distance can be checked here; the caller knows where the pack starts.
    if (distance <= 0) throw new Error('its delta base is itself');
    return { type, size, dataStart: at, baseDistance: distance };
  }
  if (type === PackEntryType.refDelta) {
    if (at + 20 > bytes.length) throw new Error('its header is truncated');
    return { type, size, dataStart: at + 20, baseOid: Buffer.from(bytes.buffer, bytes.byteOffset + at, 20).toString('hex') };
  }
  if (OBJECT_TYPES[type] === undefined) throw new Error(`its type ${type} is not a Git object type`);
  return { type, size, dataStart: at };
}

/**
 * Inflates an entry's zlib data natively; output past `size` (the header's) throws, so a hostile
 * stream cannot inflate without bound. One output chunk of the expected size avoids zlib's 16 KiB
 * default per object. `consumed` is how much input the stream used, which is where the entry ends.
 */
export function inflateEntry(data: Uint8Array, size: number): { content: Buffer; consumed: number } {
  const limit = Math.max(64, size);
  const { buffer, engine } = inflateSync(data, { info: true, maxOutputLength: limit, chunkSize: limit }) as unknown as {
    buffer: Buffer;
    engine: { bytesWritten: number };
  };
  return { content: buffer, consumed: engine.bytesWritten };
}
