import type { HttpClient } from 'isomorphic-git';

/**
 * Wraps an HTTP client so that the pack in an upload-pack response reaches the caller instead of
 * isomorphic-git, which then sees a response without pack data and writes and indexes nothing
 * (it has no option to fetch without indexing, and its indexer dominated a first fetch). Refs,
 * `shallow` and errors are still isomorphic-git's: every pkt-line but the pack's goes through.
 *
 * With side-band-64k (which isomorphic-git always asks for) the pack comes in pkt-lines whose
 * first byte is 1; progress is band 2 and a fatal error band 3. Protocol lines (ACK, NAK,
 * shallow) never start with byte 1, and isomorphic-git demultiplexes by that same byte.
 */
export function capturePack(client: HttpClient): { client: HttpClient; take(): Buffer | undefined } {
  let chunks: Buffer[] = [];
  return {
    client: {
      async request(request) {
        const response = await client.request(request);
        const uploadPack = request.method === 'POST' && /\/git-upload-pack$/.test(new URL(request.url).pathname);
        if (!uploadPack || !response.body) return response;
        chunks = [];
        return { ...response, body: withoutPackData(response.body, chunks) };
      },
    },
    take() {
      const pack = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      chunks = [];
      return pack;
    },
  };
}

const PACK_BAND = 1;
const LENGTH = /^[0-9a-f]{4}$/;

/** The body with band-1 pkt-lines moved into `sink`; anything that is not a pkt-line stream passes through untouched. */
async function* withoutPackData(body: AsyncIterableIterator<Uint8Array>, sink: Buffer[]): AsyncGenerator<Uint8Array> {
  let pending: Buffer = Buffer.alloc(0);
  let framed = true;
  for await (const chunk of body) {
    if (!framed) {
      yield chunk;
      continue;
    }
    const buffer = pending.length > 0 ? Buffer.concat([pending, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const passed: Buffer[] = [];
    let at = 0;
    while (buffer.length - at >= 4) {
      const prefix = buffer.toString('latin1', at, at + 4);
      if (!LENGTH.test(prefix)) {
        // Not pkt-lines after all: isomorphic-git gets the rest as it came, and reports whatever it makes of it.
        framed = false;
        break;
      }
      // 0000 (flush), 0001 and 0002 are four bytes with no payload.
      const length = Math.max(4, parseInt(prefix, 16));
      if (buffer.length - at < length) break;
      if (length > 4 && buffer[at + 4] === PACK_BAND) sink.push(buffer.subarray(at + 5, at + length));
      else passed.push(buffer.subarray(at, at + length));
      at += length;
    }
    if (!framed) passed.push(buffer.subarray(at));
    pending = framed ? buffer.subarray(at) : Buffer.alloc(0);
    if (passed.length > 0) yield Buffer.concat(passed);
  }
  if (pending.length > 0) yield pending;
}
