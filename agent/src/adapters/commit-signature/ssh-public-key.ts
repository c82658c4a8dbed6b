import { createHash, createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SshReader, SshWireError } from './ssh-wire.js';

/**
 * OpenSSH public keys (the `ssh-ed25519 AAAA… comment` line and the wire blob inside it) turned
 * into node:crypto key objects, and verification of the raw SSH signatures made with them.
 */

const ECDSA_CURVES = {
  'ecdsa-sha2-nistp256': { curve: 'nistp256', jwkCurve: 'P-256', hash: 'sha256', size: 32 },
  'ecdsa-sha2-nistp384': { curve: 'nistp384', jwkCurve: 'P-384', hash: 'sha384', size: 48 },
  'ecdsa-sha2-nistp521': { curve: 'nistp521', jwkCurve: 'P-521', hash: 'sha512', size: 66 },
} as const;
type EcdsaKeyType = keyof typeof ECDSA_CURVES;

export const SSH_KEY_TYPES = ['ssh-ed25519', 'ssh-rsa', ...(Object.keys(ECDSA_CURVES) as EcdsaKeyType[])] as const;
export type SshKeyType = (typeof SSH_KEY_TYPES)[number];

/** SHA-1 `ssh-rsa` signatures are refused, as OpenSSH itself refuses them for SSHSIG. */
const RSA_SIGNATURE_HASHES = { 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512' } as const;

/** Below this, an RSA key is too weak to let it decide what runs on a cluster. */
const MIN_RSA_BITS = 2048;

export type SshVerifyResult = { ok: true } | { ok: false; reason: 'bad-signature' | 'unsupported'; message: string };

export interface SshPublicKey {
  type: SshKeyType;
  /** The wire blob; two keys are the same key exactly when their blobs are equal. */
  blob: Uint8Array;
  /** As `ssh-keygen -l` prints it: `SHA256:` and unpadded base64. */
  fingerprint: string;
  /** Checks a raw SSH signature blob (`string format, string bytes`) over `data`. */
  verify(signatureBlob: Uint8Array, data: Uint8Array): SshVerifyResult;
}

export class SshKeyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SshKeyError';
  }
}

/** Parses one OpenSSH public key line: `type base64-blob [comment]`. */
export function parseSshPublicKeyLine(line: string): SshPublicKey {
  const [type, encoded] = line.trim().split(/\s+/);
  if (!type || !encoded) throw new SshKeyError("expected 'type base64-key [comment]', as in a .pub file");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new SshKeyError('the key part is not base64');
  const key = parseSshPublicKeyBlob(Buffer.from(encoded, 'base64'));
  if (key.type !== type) throw new SshKeyError(`the line says '${type}' but the key inside is '${key.type}'`);
  return key;
}

/** Parses a public key wire blob, refusing types this verifier does not support. */
export function parseSshPublicKeyBlob(blob: Uint8Array): SshPublicKey {
  const reader = new SshReader(blob);
  try {
    const type = reader.text();
    if (type === 'ssh-ed25519') {
      const point = reader.string();
      reader.end('the ed25519 key');
      if (point.length !== 32) throw new SshKeyError(`an ed25519 key is 32 bytes, not ${point.length}`);
      const key = jwkKey({ kty: 'OKP', crv: 'Ed25519', x: b64url(point) });
      return makeKey(type, blob, (format, bytes, data) =>
        format === 'ssh-ed25519' ? verify(null, data, key, bytes) : wrongFormat(format, type));
    }
    if (type === 'ssh-rsa') {
      const e = reader.unsignedMpint();
      const n = reader.unsignedMpint();
      reader.end('the RSA key');
      const bits = bitLength(n);
      if (bits < MIN_RSA_BITS) throw new SshKeyError(`the RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required`);
      const key = jwkKey({ kty: 'RSA', n: b64url(n), e: b64url(e) });
      return makeKey(type, blob, (format, bytes, data) => {
        if (!Object.hasOwn(RSA_SIGNATURE_HASHES, format)) return wrongFormat(format, type);
        const hash = RSA_SIGNATURE_HASHES[format as keyof typeof RSA_SIGNATURE_HASHES];
        return verify(hash, data, key, bytes);
      });
    }
    if (Object.hasOwn(ECDSA_CURVES, type)) {
      const params = ECDSA_CURVES[type as EcdsaKeyType];
      const curve = reader.text();
      const point = reader.string();
      reader.end('the ECDSA key');
      if (curve !== params.curve) throw new SshKeyError(`a ${type} key names curve '${curve}'`);
      if (point.length !== 1 + 2 * params.size || point[0] !== 0x04) {
        throw new SshKeyError('the ECDSA point is not an uncompressed point on the curve');
      }
      const x = point.subarray(1, 1 + params.size);
      const y = point.subarray(1 + params.size);
      const key = jwkKey({ kty: 'EC', crv: params.jwkCurve, x: b64url(x), y: b64url(y) });
      return makeKey(type as EcdsaKeyType, blob, (format, bytes, data) => {
        if (format !== type) return wrongFormat(format, type);
        const rs = new SshReader(bytes);
        const r = rs.unsignedMpint();
        const s = rs.unsignedMpint();
        rs.end('the ECDSA signature');
        if (r.length > params.size || s.length > params.size) return false;
        // IEEE P1363 is r and s as fixed-width halves, which spares building DER by hand.
        const p1363 = Buffer.concat([leftPad(r, params.size), leftPad(s, params.size)]);
        return verify(params.hash, data, { key, dsaEncoding: 'ieee-p1363' }, p1363);
      });
    }
    throw new SshKeyError(`unsupported key type '${type}'; supported: ${SSH_KEY_TYPES.join(', ')}`);
  } catch (error) {
    if (error instanceof SshWireError) throw new SshKeyError(`malformed key: ${error.message}`, { cause: error });
    throw error;
  }
}

/** `SHA256:` + unpadded base64 of the blob's SHA-256, the form `ssh-keygen -l` and git show. */
export function sshFingerprint(blob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

type FormatVerifier = (format: string, signature: Uint8Array, data: Uint8Array) => boolean | SshVerifyResult;

function makeKey(type: SshKeyType, blob: Uint8Array, check: FormatVerifier): SshPublicKey {
  return {
    type,
    blob: Uint8Array.from(blob),
    fingerprint: sshFingerprint(blob),
    verify(signatureBlob, data) {
      try {
        const reader = new SshReader(signatureBlob);
        const format = reader.text();
        const bytes = reader.string();
        reader.end('the signature');
        const result = check(format, bytes, data);
        if (typeof result !== 'boolean') return result;
        return result ? { ok: true } : { ok: false, reason: 'bad-signature', message: `the ${format} signature does not match` };
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        return { ok: false, reason: 'bad-signature', message: `malformed signature: ${detail}` };
      }
    },
  };
}

function wrongFormat(format: string, keyType: string): SshVerifyResult {
  return { ok: false, reason: 'unsupported', message: `signature format '${format}' is not accepted for a ${keyType} key` };
}

function jwkKey(jwk: Record<string, string>): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch (error) {
    throw new SshKeyError(`the key material is not a valid ${jwk['kty']} public key`, { cause: error });
  }
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function leftPad(bytes: Uint8Array, size: number): Buffer {
  const out = Buffer.alloc(size);
  out.set(bytes, size - bytes.length);
  return out;
}

function bitLength(magnitude: Uint8Array): number {
  const first = magnitude[0] ?? 0;
  return magnitude.length === 0 ? 0 : (magnitude.length - 1) * 8 + (32 - Math.clz32(first));
}
