import { describe, expect, it } from 'vitest';
import { MqttFrameScanner } from './mqtt-frame-guard.js';

/** A fixed header with the given remaining length, encoded as MQTT's variable-length integer. */
const header = (type: number, remaining: number): Buffer => {
  const bytes = [type];
  let left = remaining;
  do {
    let byte = left % 128;
    left = Math.floor(left / 128);
    if (left > 0) byte |= 0x80;
    bytes.push(byte);
  } while (left > 0);
  return Buffer.from(bytes);
};
const packet = (remaining: number) => Buffer.concat([header(0x30, remaining), Buffer.alloc(remaining, 0x61)]);

describe('MqttFrameScanner', () => {
  it('accepts packets up to the limit, in one chunk or split at any byte', () => {
    const stream = Buffer.concat([packet(0), packet(200), packet(1000), packet(1000)]);
    expect(new MqttFrameScanner(1000).accept(stream)).toBe(true);
    for (let cut = 1; cut < stream.length; cut += 37) {
      const scanner = new MqttFrameScanner(1000);
      expect(scanner.accept(stream.subarray(0, cut)) && scanner.accept(stream.subarray(cut)), `cut at ${cut}`).toBe(true);
    }
  });

  it('refuses a packet announcing more than the limit as soon as its header arrives', () => {
    const scanner = new MqttFrameScanner(1000);
    expect(scanner.accept(packet(10))).toBe(true);
    // Only the header: the body is never needed to decide.
    expect(scanner.accept(header(0x30, 1001))).toBe(false);
    expect(new MqttFrameScanner(1000).accept(header(0x10, 256 * 1024 * 1024 - 1).subarray(0, 3))).toBe(false);
  });

  it('refuses a remaining length longer than four bytes', () => {
    expect(new MqttFrameScanner(Number.MAX_SAFE_INTEGER).accept(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]))).toBe(false);
  });
});
