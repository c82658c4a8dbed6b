/**
 * The hub's directive signing key on disk: `hub keygen` writes a new pair, never over an
 * existing file (a replaced key would orphan every agent that trusts the old one; rotate by
 * writing a new file, trusting both on the agents, then switching the hub).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { FleetError } from '../../../shared/src/errors.js';
import { generateSigningKeyPair } from '../../../shared/src/protocol/signing.js';

export function writeSigningKeyPair(privateFile: string): { keyId: string; publicFile: string } {
  const pair = generateSigningKeyPair();
  const publicFile = `${privateFile}.pub`;
  // Both checked first, so a refusal leaves no half of a pair behind.
  for (const file of [privateFile, publicFile]) {
    if (existsSync(file)) throw new FleetError('validation', `${file} exists; keygen never overwrites a key`);
  }
  for (const [file, text, mode] of [
    [privateFile, pair.privateKeyPem, 0o600],
    [publicFile, pair.publicKeyPem, 0o644],
  ] as const) {
    try {
      writeFileSync(file, text, { flag: 'wx', mode });
    } catch (cause) {
      throw new FleetError('validation', `cannot write ${file}`, { cause });
    }
  }
  return { keyId: pair.keyId, publicFile };
}
