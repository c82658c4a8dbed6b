/** Reading a request body with a size bound, and decoding it as JSON or YAML. */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { KubeStatusError, StatusReason } from '../memory-kube/index.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

const tooLarge = (limit: number): KubeStatusError =>
  new KubeStatusError(413, StatusReason.requestEntityTooLarge, `the request body is larger than ${limit} bytes`);

export async function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** JSON first (what clients send); YAML 1.1 as the API server reads it, for apply bodies. */
export function decodeBody(body: Buffer, allowYaml: boolean): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw new KubeStatusError(400, StatusReason.badRequest, 'the request body is empty');
  try {
    return JSON.parse(text);
  } catch (jsonError) {
    if (!allowYaml) throw new KubeStatusError(400, StatusReason.badRequest, `the request body is not valid JSON: ${(jsonError as Error).message}`);
  }
  try {
    return parseYaml(text, { version: '1.1', maxAliasCount: 100 }) as unknown;
  } catch (yamlError) {
    throw new KubeStatusError(400, StatusReason.badRequest, `the request body is neither JSON nor YAML: ${(yamlError as Error).message}`);
  }
}
