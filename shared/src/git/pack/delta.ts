/**
 * Applies a Git delta (the data of an OFS_DELTA or REF_DELTA pack entry, inflated) to its base.
 *
 * The delta starts with two little-endian base-128 varints, the base's size and the result's,
 * then instructions: a byte with the top bit set copies a range of the base (bits 0-3 say which
 * offset bytes follow, bits 4-6 which size bytes; a size of 0 means 0x10000), and a byte 1-127
 * inserts that many literal bytes. Every bound is checked: a delta that reads outside its base or
 * its own data, or does not produce exactly the size it announces, throws.
 */
export function applyDelta(base: Uint8Array, delta: Uint8Array): Buffer {
  let position = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    let byte: number | undefined;
    do {
      byte = delta[position++];
      if (byte === undefined) throw new Error('delta is truncated in its header');
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return value;
  };
  const baseSize = varint();
  const resultSize = varint();
  if (baseSize !== base.length) throw new Error(`delta expects a base of ${baseSize} bytes, the base has ${base.length}`);
  const result = Buffer.allocUnsafe(resultSize);
  let written = 0;
  while (position < delta.length) {
    const op = delta[position++] ?? 0;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let bit = 0; bit < 4; bit++) {
        if (op & (1 << bit)) offset += byteAt(delta, position++) * 2 ** (8 * bit);
      }
      for (let bit = 0; bit < 3; bit++) {
        if (op & (0x10 << bit)) size += byteAt(delta, position++) << (8 * bit);
      }
      if (size === 0) size = 0x10000;
      if (offset + size > base.length || written + size > resultSize) throw new Error('delta copies outside its base or result');
      result.set(base.subarray(offset, offset + size), written);
      written += size;
    } else if (op !== 0) {
      if (position + op > delta.length || written + op > resultSize) throw new Error('delta inserts past its data or result');
      result.set(delta.subarray(position, position + op), written);
      position += op;
      written += op;
    } else {
      throw new Error('delta has a reserved instruction 0');
    }
  }
  if (written !== resultSize) throw new Error(`delta produced ${written} bytes, announced ${resultSize}`);
  return result;
}

function byteAt(bytes: Uint8Array, position: number): number {
  const byte = bytes[position];
  if (byte === undefined) throw new Error('delta is truncated in a copy instruction');
  return byte;
}
