import type { GitHttpRequest, HttpClient } from 'isomorphic-git';
import { describe, expect, it } from 'vitest';
import { capturePack } from './pack-capture.js';

const pkt = (payload: Buffer | string): Buffer => {
  const bytes = Buffer.from(payload);
  return Buffer.concat([Buffer.from((bytes.length + 4).toString(16).padStart(4, '0')), bytes]);
};
const band = (number: number, payload: Buffer | string): Buffer => pkt(Buffer.concat([Buffer.from([number]), Buffer.from(payload)]));

/** A client answering every request with `body`, cut into chunks of `size` bytes. */
function serving(body: Buffer, size: number): HttpClient {
  return {
    async request(request: GitHttpRequest) {
      async function* chunks(): AsyncGenerator<Uint8Array> {
        for (let at = 0; at < body.length; at += size) yield body.subarray(at, at + size);
      }
      return { url: request.url, method: request.method, statusCode: 200, statusMessage: 'OK', headers: {}, body: chunks() };
    },
  };
}

async function read(client: HttpClient, request: GitHttpRequest): Promise<Buffer> {
  const response = await client.request(request);
  const parts: Uint8Array[] = [];
  for await (const part of response.body ?? []) parts.push(part);
  return Buffer.concat(parts);
}

const uploadPack: GitHttpRequest = { url: 'http://git.example/fleet.git/git-upload-pack', method: 'POST' };

describe('capturePack', () => {
  const packData = Buffer.from(Array.from({ length: 3000 }, (_, i) => i & 0xff));
  const protocol = [pkt('shallow ' + 'a'.repeat(40) + '\n'), Buffer.from('0000'), pkt('NAK\n')];
  const response = Buffer.concat([
    ...protocol,
    band(2, 'Counting objects: 3\n'),
    band(1, packData.subarray(0, 1000)),
    band(1, packData.subarray(1000)),
    band(2, 'done\n'),
    Buffer.from('0000'),
  ]);
  const withoutPack = Buffer.concat([...protocol, band(2, 'Counting objects: 3\n'), band(2, 'done\n'), Buffer.from('0000')]);

  it('takes the band-1 pack data out of an upload-pack response, whatever the chunk boundaries', async () => {
    for (const size of [1, 3, 5, 64, 1001, response.length]) {
      const capture = capturePack(serving(response, size));
      expect((await read(capture.client, uploadPack)).equals(withoutPack), `chunks of ${size}`).toBe(true);
      expect(capture.take()?.equals(packData), `chunks of ${size}`).toBe(true);
      expect(capture.take()).toBeUndefined();
    }
  });

  it('leaves other requests, and a body that is not pkt-lines, as they came', async () => {
    const capture = capturePack(serving(response, 7));
    const advertisement = { url: 'http://git.example/fleet.git/info/refs?service=git-upload-pack', method: 'GET' };
    expect((await read(capture.client, advertisement)).equals(response)).toBe(true);
    expect(capture.take()).toBeUndefined();

    const garbage = Buffer.concat([pkt('NAK\n'), Buffer.from('PACK and then some bytes')]);
    const raw = capturePack(serving(garbage, 5));
    expect((await read(raw.client, uploadPack)).equals(garbage)).toBe(true);
    expect(raw.take()).toBeUndefined();
  });
});
