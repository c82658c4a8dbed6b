import { createHash } from 'node:crypto';
import { rejected } from './signature-verdict.js';
import type { SignatureVerdict } from './signature-verdict.js';
import { sshFingerprint } from './ssh-public-key.js';
import type { SshPublicKey } from './ssh-public-key.js';
import { SshReader, SshWireError, sshString } from './ssh-wire.js';

/**
 * Verification of the SSHSIG signatures `git -c gpg.format=ssh` writes (OpenSSH
 * PROTOCOL.sshsig), the same check `ssh-keygen -Y verify -n git` makes, with node:crypto.
 */

export const SSH_ARMOR_BEGIN = '-----BEGIN SSH SIGNATURE-----';
const SSH_ARMOR_END = '-----END SSH SIGNATURE-----';
const MAGIC = 'SSHSIG';
const VERSION = 1;
/** git signs with namespace "git"; a signature for another namespace (e.g. "file") is not a commit signature. */
const GIT_NAMESPACE = 'git';
const HASHES = ['sha256', 'sha512'] as const;

/** A well-formed envelope of a kind this verifier does not handle (a future SSHSIG version). */
export class UnsupportedSshSignatureError extends SshWireError {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedSshSignatureError';
  }
}

export interface SshSignature {
  publicKey: Uint8Array;
  namespace: string;
  reserved: Uint8Array;
  hashAlgorithm: string;
  signature: Uint8Array;
}

/** Decodes the armor and the SSHSIG envelope; throws SshWireError when the bytes are not one. */
export function parseSshSignature(armored: string): SshSignature {
  const text = armored.trim();
  if (!text.startsWith(SSH_ARMOR_BEGIN) || !text.endsWith(SSH_ARMOR_END)) {
    throw new SshWireError('not an armored SSH signature');
  }
  const body = text.slice(SSH_ARMOR_BEGIN.length, text.length - SSH_ARMOR_END.length).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new SshWireError('the armored body is not base64');
  const reader = new SshReader(Buffer.from(body, 'base64'));
  if (Buffer.from(reader.raw(MAGIC.length)).toString('latin1') !== MAGIC) throw new SshWireError('no SSHSIG magic');
  const version = reader.uint32();
  if (version !== VERSION) throw new UnsupportedSshSignatureError(`SSHSIG version ${version}, expected ${VERSION}`);
  const parsed: SshSignature = {
    publicKey: reader.string(),
    namespace: reader.text(),
    reserved: reader.string(),
    hashAlgorithm: reader.text(),
    signature: reader.string(),
  };
  reader.end('the SSHSIG blob');
  return parsed;
}

/** The bytes the SSH key actually signed: the payload's hash wrapped with the signature's context. */
export function sshSignedData(signature: Pick<SshSignature, 'namespace' | 'reserved' | 'hashAlgorithm'>, payload: Uint8Array): Buffer {
  const digest = createHash(signature.hashAlgorithm).update(payload).digest();
  return Buffer.concat([
    Buffer.from(MAGIC, 'latin1'),
    sshString(signature.namespace),
    sshString(signature.reserved),
    sshString(signature.hashAlgorithm),
    sshString(digest),
  ]);
}

/** Decides whether `armored` is a valid git signature over `payload` by one of `trusted`. */
export function verifySshSignature(armored: string, payload: Uint8Array, trusted: readonly SshPublicKey[]): SignatureVerdict {
  let parsed: SshSignature;
  try {
    parsed = parseSshSignature(armored);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if (error instanceof UnsupportedSshSignatureError) return rejected('unsupported', `unsupported SSH signature: ${detail}`);
    return rejected('bad-signature', `malformed SSH signature: ${detail}`);
  }
  if (parsed.namespace !== GIT_NAMESPACE) {
    return rejected('bad-signature', `the SSH signature is for namespace '${parsed.namespace}', not '${GIT_NAMESPACE}'`);
  }
  if (!(HASHES as readonly string[]).includes(parsed.hashAlgorithm)) {
    return rejected('unsupported', `SSH signature hash '${parsed.hashAlgorithm}' is not one of ${HASHES.join(', ')}`);
  }
  const key = trusted.find((candidate) => Buffer.from(candidate.blob).equals(parsed.publicKey));
  if (!key) {
    return rejected('unknown-signer', `signed by SSH key ${sshFingerprint(parsed.publicKey)}, which is not trusted`);
  }
  const result = key.verify(parsed.signature, sshSignedData(parsed, payload));
  if (!result.ok) return rejected(result.reason, `SSH key ${key.fingerprint}: ${result.message}`);
  return { ok: true, signer: key.fingerprint, format: 'ssh' };
}
