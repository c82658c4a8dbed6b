import type * as OpenPgpModule from 'openpgp';
import type { PublicKey } from 'openpgp';
import { rejected } from './signature-verdict.js';
import type { SignatureVerdict } from './signature-verdict.js';

/**
 * OpenPGP commit signatures (git's default `gpg.format`), verified with the `openpgp` package.
 * The package is large, so it is imported only when OpenPGP keys are configured: an agent that
 * trusts only SSH keys, or verifies nothing, never loads it.
 */

export const OPENPGP_ARMOR_BEGIN = '-----BEGIN PGP SIGNATURE-----';

type OpenPgp = typeof OpenPgpModule;

export interface OpenPgpTrust {
  openpgp: OpenPgp;
  keys: PublicKey[];
}

/** A configured key that did not parse, by its position in the list. */
export interface KeyProblem {
  index: number;
  message: string;
}

/**
 * Parses armored public key blocks (each may hold several keys). Every bad entry is reported,
 * not only the first, so one configuration fix is enough. No keys means no import at all.
 */
export async function loadOpenPgpKeys(
  armoredKeys: readonly string[],
): Promise<{ trust: OpenPgpTrust | undefined; problems: KeyProblem[] }> {
  if (armoredKeys.length === 0) return { trust: undefined, problems: [] };
  const openpgp = await import('openpgp');
  const keys: PublicKey[] = [];
  const problems: KeyProblem[] = [];
  for (const [index, armoredKey] of armoredKeys.entries()) {
    const parsed: PublicKey[] = [];
    try {
      for (const block of armorBlocks(armoredKey)) parsed.push(...(await openpgp.readKeys({ armoredKeys: block })));
    } catch (error) {
      problems.push({ index, message: `not an armored OpenPGP public key (${errorText(error)})` });
      continue;
    }
    // A secret key in agent configuration is a leak waiting to happen; refuse rather than strip it.
    if (parsed.some((key) => key.isPrivate())) {
      problems.push({ index, message: 'is a private key; configure the public key (gpg --armor --export <id>)' });
      continue;
    }
    keys.push(...parsed);
  }
  return { trust: { openpgp, keys }, problems };
}

/** Decides whether the detached `armored` signature over `payload` is by one of the trusted keys. */
export async function verifyOpenPgpSignature(
  armored: string,
  payload: Uint8Array,
  trust: OpenPgpTrust | undefined,
): Promise<SignatureVerdict> {
  if (!trust) return rejected('unknown-signer', 'the commit has an OpenPGP signature and no OpenPGP keys are trusted');
  const { openpgp, keys } = trust;
  let signature: Awaited<ReturnType<OpenPgp['readSignature']>>;
  try {
    signature = await openpgp.readSignature({ armoredSignature: armored });
  } catch (error) {
    return rejected('bad-signature', `malformed OpenPGP signature: ${errorText(error)}`);
  }
  const issuers = signature.getSigningKeyIDs();
  const candidates = keys.filter((key) => issuers.some((id) => key.getKeys(id).length > 0));
  if (candidates.length === 0) {
    const ids = issuers.map((id) => id.toHex().toUpperCase()).join(', ') || 'no issuer';
    return rejected('unknown-signer', `signed by OpenPGP key ${ids}, which is not trusted`);
  }
  const result = await openpgp.verify({
    message: await openpgp.createMessage({ binary: payload }),
    signature,
    verificationKeys: candidates,
    format: 'binary',
    expectSigned: false,
  });
  const failures: string[] = [];
  for (const entry of result.signatures) {
    const owner = candidates.find((key) => key.getKeys(entry.keyID).length > 0);
    try {
      await entry.verified;
      if (owner) return { ok: true, signer: owner.getFingerprint().toUpperCase(), format: 'openpgp' };
    } catch (error) {
      failures.push(`key ${entry.keyID.toHex().toUpperCase()}: ${errorText(error)}`);
    }
  }
  return rejected('bad-signature', `the OpenPGP signature does not verify (${failures.join('; ') || 'no signatures'})`);
}

/**
 * openpgp reads only the first armored block of a string, while gpg imports them all; splitting
 * keeps two keys pasted one after the other (a key rotation) from silently losing the second.
 */
function armorBlocks(text: string): string[] {
  const blocks = text.match(/-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g);
  return blocks ?? [text];
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
