import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { sshString } from '../../agent/src/adapters/commit-signature/ssh-wire.js';
import { sshSignedData } from '../../agent/src/adapters/commit-signature/ssh-signature.js';

/**
 * Test support: SSH keys made with node:crypto and SSHSIG signatures built from them, so unit
 * tests can reach the envelope's error paths (namespace, version, hash) that ssh-keygen never
 * produces. The real-signature proof is in test/commit-signature.test.ts, against ssh-keygen.
 */

export interface TestSshKey {
  line: string;
  blob: Buffer;
  /** Signs `data` and returns the SSH signature blob (`string format, string bytes`). */
  signRaw(data: Uint8Array): Buffer;
}

export function ed25519TestKey(): TestSshKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = Buffer.from(jwk(publicKey)['x'] ?? '', 'base64url');
  const blob = Buffer.concat([sshString('ssh-ed25519'), sshString(x)]);
  return testKey('ssh-ed25519', blob, (data) => Buffer.concat([sshString('ssh-ed25519'), sshString(sign(null, data, privateKey))]));
}

export function ecdsaP256TestKey(): TestSshKey {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { x = '', y = '' } = jwk(publicKey);
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(x, 'base64url'), Buffer.from(y, 'base64url')]);
  const blob = Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp256'), sshString(point)]);
  return testKey('ecdsa-sha2-nistp256', blob, (data) => {
    const rs = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const inner = Buffer.concat([sshString(mpint(rs.subarray(0, 32))), sshString(mpint(rs.subarray(32)))]);
    return Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString(inner)]);
  });
}

export function rsaTestKey(bits: number): TestSshKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const { n = '', e = '' } = jwk(publicKey);
  const blob = Buffer.concat([sshString('ssh-rsa'), sshString(mpint(Buffer.from(e, 'base64url'))), sshString(mpint(Buffer.from(n, 'base64url')))]);
  return testKey('ssh-rsa', blob, (data) => Buffer.concat([sshString('rsa-sha2-512'), sshString(sign('sha512', data, privateKey))]));
}

export interface SshSigOptions {
  namespace?: string;
  hashAlgorithm?: string;
  version?: number;
}

/** An armored SSHSIG over `payload`, as `ssh-keygen -Y sign` would write it (unless options say otherwise). */
export function armoredSshSig(key: TestSshKey, payload: Uint8Array, options: SshSigOptions = {}): string {
  const context = { namespace: options.namespace ?? 'git', reserved: new Uint8Array(), hashAlgorithm: options.hashAlgorithm ?? 'sha512' };
  const version = Buffer.alloc(4);
  version.writeUInt32BE(options.version ?? 1);
  const blob = Buffer.concat([
    Buffer.from('SSHSIG'),
    version,
    sshString(key.blob),
    sshString(context.namespace),
    sshString(context.reserved),
    sshString(context.hashAlgorithm),
    sshString(key.signRaw(sshSignedData(context, payload))),
  ]);
  const lines = blob.toString('base64').match(/.{1,70}/g) ?? [];
  return ['-----BEGIN SSH SIGNATURE-----', ...lines, '-----END SSH SIGNATURE-----', ''].join('\n');
}

function testKey(type: string, blob: Buffer, signRaw: (data: Uint8Array) => Buffer): TestSshKey {
  return { line: `${type} ${blob.toString('base64')} test@example.invalid`, blob, signRaw };
}

function jwk(key: KeyObject): Record<string, string | undefined> {
  return key.export({ format: 'jwk' }) as Record<string, string | undefined>;
}

/** Minimal positive mpint: leading zeros dropped, one zero added back if the top bit is set. */
function mpint(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  return (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
}
