import { describe, expect, it } from 'vitest';
import { applyDelta } from './delta.js';

/** Git's little-endian base-128 varint. */
function varint(value: number): number[] {
  const bytes: number[] = [];
  do {
    const low = value % 128;
    value = Math.floor(value / 128);
    bytes.push(value > 0 ? low | 0x80 : low);
  } while (value > 0);
  return bytes;
}

/** A copy instruction with only the offset and size bytes that are not zero, as git writes it. */
function copy(offset: number, size: number): number[] {
  let op = 0x80;
  const args: number[] = [];
  for (let bit = 0; bit < 4; bit++) {
    const byte = (offset >>> (8 * bit)) & 0xff;
    if (byte !== 0) {
      op |= 1 << bit;
      args.push(byte);
    }
  }
  const encoded = size === 0x10000 ? 0 : size;
  for (let bit = 0; bit < 3; bit++) {
    const byte = (encoded >>> (8 * bit)) & 0xff;
    if (byte !== 0) {
      op |= 0x10 << bit;
      args.push(byte);
    }
  }
  return [op, ...args];
}

function insert(text: string): number[] {
  return [text.length, ...Buffer.from(text)];
}

const delta = (baseSize: number, resultSize: number, ...ops: number[][]): Uint8Array =>
  Uint8Array.from([...varint(baseSize), ...varint(resultSize), ...ops.flat()]);

describe('applyDelta', () => {
  const base = Buffer.from('kind: ConfigMap\nmetadata:\n  name: app\ndata:\n  replicas: "1"\n');

  it('copies ranges of the base and inserts literal bytes', () => {
    const at = base.indexOf('"1"');
    const result = applyDelta(base, delta(base.length, base.length + 1, copy(0, at), insert('"12"'), copy(at + 3, base.length - at - 3)));
    expect(result.toString()).toBe(base.toString().replace('"1"', '"12"'));
  });

  it('reads a copy size of 0 as 0x10000 and offsets past 64 KiB', () => {
    const large = Buffer.alloc(0x30000);
    for (let i = 0; i < large.length; i++) large[i] = (i * 7) & 0xff;
    const result = applyDelta(large, delta(large.length, 0x10000 + 3, copy(0x12345, 0x10000), insert('end')));
    expect(result.subarray(0, 0x10000).equals(large.subarray(0x12345, 0x12345 + 0x10000))).toBe(true);
    expect(result.subarray(0x10000).toString()).toBe('end');
  });

  it('refuses a delta for another base, copies outside the base, a wrong result size and truncation', () => {
    expect(() => applyDelta(base, delta(base.length + 1, 1, insert('x')))).toThrow(/base of/);
    expect(() => applyDelta(base, delta(base.length, 10, copy(base.length - 5, 10)))).toThrow(/outside its base/);
    expect(() => applyDelta(base, delta(base.length, 5, insert('abc')))).toThrow(/produced 3 bytes, announced 5/);
    expect(() => applyDelta(base, delta(base.length, 2, insert('abc')))).toThrow(/past its data or result/);
    expect(() => applyDelta(base, delta(base.length, 3, [5, 0x61]))).toThrow(/past its data/);
    expect(() => applyDelta(base, delta(base.length, 1, [0]))).toThrow(/reserved instruction/);
    expect(() => applyDelta(base, Uint8Array.from([0x80]))).toThrow(/truncated/);
    expect(() => applyDelta(base, delta(base.length, 1, [0x91]))).toThrow(/truncated in a copy/);
  });
});
