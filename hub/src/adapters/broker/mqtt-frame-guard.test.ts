import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { GuardedConnection, MqttFrameScanner } from './mqtt-frame-guard.js';

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

describe('GuardedConnection', () => {
  it('passes a packet written piecewise under cork on to the socket in one write', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const [accepted] = (await once(server, 'connection')) as [Socket];
    try {
      const writes: number[] = [];
      const write = accepted.write.bind(accepted) as (chunk: Buffer, callback?: (error?: Error | null) => void) => boolean;
      accepted.write = ((chunk: Buffer, callback?: (error?: Error | null) => void) => {
        writes.push(chunk.length);
        return write(chunk, callback);
      }) as typeof accepted.write;
      const connection = new GuardedConnection(accepted, { remoteAddress: accepted.remoteAddress }, 1000, () => {});
      // What mqtt-packet does: cork, write header, topic and payload, uncork on the next tick.
      connection.cork();
      for (const piece of [header(0x30, 8), Buffer.from([0, 3]), Buffer.from('a/b'), Buffer.from('xyz')]) connection.write(piece);
      process.nextTick(() => connection.uncork());
      const [received] = (await once(client, 'data')) as [Buffer];
      expect(received).toEqual(Buffer.concat([header(0x30, 8), Buffer.from([0, 3]), Buffer.from('a/bxyz')]));
      expect(writes).toEqual([10]);
    } finally {
      client.destroy();
      accepted.destroy();
      server.close();
    }
  });
});
