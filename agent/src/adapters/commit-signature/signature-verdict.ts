/** What verifying one commit's signature concluded; data for the caller to log, report or act on. */

export const SignatureFailure = {
  /** The commit carries no signature header. */
  unsigned: 'unsigned',
  /** Well-formed signature, but by a key that is not trusted. */
  unknownSigner: 'unknown-signer',
  /** The signature does not verify, is malformed, or was made for something other than git. */
  badSignature: 'bad-signature',
  /** A signature format, algorithm or version this verifier does not handle. */
  unsupported: 'unsupported',
} as const;
export type SignatureFailure = (typeof SignatureFailure)[keyof typeof SignatureFailure];

export type SignatureFormat = 'openpgp' | 'ssh';

export type SignatureVerdict =
  | {
      ok: true;
      /** OpenPGP: the trusted primary key's fingerprint (upper-case hex); SSH: `SHA256:…`. */
      signer: string;
      format: SignatureFormat;
    }
  | { ok: false; reason: SignatureFailure; message: string };

export const rejected = (reason: SignatureFailure, message: string): SignatureVerdict => ({ ok: false, reason, message });
