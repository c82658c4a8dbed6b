import { FleetError } from '../../../../shared/src/errors.js';
import { extractCommitSignature } from './commit-object.js';
import { OPENPGP_ARMOR_BEGIN, loadOpenPgpKeys, verifyOpenPgpSignature } from './openpgp-signature.js';
import type { KeyProblem } from './openpgp-signature.js';
import { rejected } from './signature-verdict.js';
import type { SignatureVerdict } from './signature-verdict.js';
import { parseSshPublicKeyLine } from './ssh-public-key.js';
import type { SshPublicKey } from './ssh-public-key.js';
import { SSH_ARMOR_BEGIN, verifySshSignature } from './ssh-signature.js';

export interface TrustedSigners {
  /** Armored OpenPGP public key blocks (`gpg --armor --export`). */
  openpgpPublicKeys: string[];
  /** OpenSSH one-line public keys: `ssh-ed25519 AAAA… comment`, as in a `.pub` file. */
  sshPublicKeys: string[];
}

/** Verifies one raw commit object (the bytes `git cat-file commit <sha>` prints). */
export type CommitVerifier = (rawCommit: Uint8Array) => Promise<SignatureVerdict>;

/**
 * Parses the trusted keys once and returns the verifier. Throws a validation FleetError that
 * names every key that does not parse, so a typo fails at start-up, not at the first commit.
 */
export async function createCommitVerifier(signers: TrustedSigners): Promise<CommitVerifier> {
  if (signers.openpgpPublicKeys.length === 0 && signers.sshPublicKeys.length === 0) {
    throw new FleetError(
      'validation',
      'commit signature verification is on but no trusted keys are configured: every commit would be rejected. ' +
        'Add openpgpPublicKeys or sshPublicKeys, or turn verification off.',
    );
  }
  const problems: string[] = [];
  const sshKeys: SshPublicKey[] = [];
  for (const [index, line] of signers.sshPublicKeys.entries()) {
    try {
      sshKeys.push(parseSshPublicKeyLine(line));
    } catch (error) {
      problems.push(`sshPublicKeys[${index}] (${preview(line)}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const openpgp = await loadOpenPgpKeys(signers.openpgpPublicKeys);
  problems.push(...openpgp.problems.map((p: KeyProblem) => `openpgpPublicKeys[${p.index}]: ${p.message}`));
  if (problems.length > 0) {
    throw new FleetError('validation', `trusted commit signing keys do not parse:\n  - ${problems.join('\n  - ')}`);
  }

  return async (rawCommit) => {
    const extracted = extractCommitSignature(rawCommit);
    if (extracted.kind === 'unsigned') return rejected('unsigned', 'the commit is not signed');
    if (extracted.kind === 'malformed') return rejected('bad-signature', extracted.message);
    const armor = extracted.signature.trimStart();
    if (armor.startsWith(SSH_ARMOR_BEGIN)) return verifySshSignature(armor, extracted.payload, sshKeys);
    if (armor.startsWith(OPENPGP_ARMOR_BEGIN)) return verifyOpenPgpSignature(armor, extracted.payload, openpgp.trust);
    const firstLine = armor.split('\n', 1)[0] ?? '';
    return rejected('unsupported', `unsupported signature format '${preview(firstLine)}' (x509/gpgsm is not supported)`);
  };
}

/** Enough of a key to recognise it in a message, never the whole (possibly huge) value. */
function preview(text: string): string {
  const flat = text.trim().replace(/\s+/g, ' ');
  return flat.length > 40 ? `${flat.slice(0, 40)}…` : flat;
}
