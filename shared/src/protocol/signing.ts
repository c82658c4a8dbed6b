/**
 * Ed25519 signatures over canonical JSON. The hub signs directives; agents verify them against
 * the hub keys they trust, addressed by key id so keys can be rotated.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { Directive, UnsignedDirective } from './protocol.js';

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
}

/** Key id: the first 16 hex characters of the SHA-256 of the public key's SPKI DER bytes. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

export function generateSigningKeyPair(): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

export function loadSigningKey(privateKeyPem: string): SigningKey {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`expected an Ed25519 private key, got ${privateKey.asymmetricKeyType ?? 'unknown'}`);
  }
  return { privateKey, keyId: keyIdOf(createPublicKey(privateKey)) };
}

/** Trusted public keys by key id. */
export type TrustedKeys = ReadonlyMap<string, KeyObject>;

export function loadTrustedKeys(publicKeyPems: readonly string[]): TrustedKeys {
  const keys = new Map<string, KeyObject>();
  for (const pem of publicKeyPems) {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new TypeError(`expected an Ed25519 public key, got ${key.asymmetricKeyType ?? 'unknown'}`);
    }
    keys.set(keyIdOf(key), key);
  }
  return keys;
}

export function signDirective(unsigned: Omit<UnsignedDirective, 'keyId'>, key: SigningKey): Directive {
  const body: UnsignedDirective = { ...unsigned, keyId: key.keyId };
  const sig = sign(null, Buffer.from(canonicalJson(body)), key.privateKey).toString('base64');
  return { ...body, sig };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'unknown-key' | 'bad-signature' };

/** Checks only the signature; whether the directive is meant for, and new to, a cluster is the agent's call. */
export function verifyDirectiveSignature(directive: Directive, trusted: TrustedKeys): SignatureCheck {
  const key = trusted.get(directive.keyId);
  if (!key) return { ok: false, reason: 'unknown-key' };
  const { sig, ...body } = directive;
  const valid = verify(null, Buffer.from(canonicalJson(body)), key, Buffer.from(sig, 'base64'));
  return valid ? { ok: true } : { ok: false, reason: 'bad-signature' };
}
