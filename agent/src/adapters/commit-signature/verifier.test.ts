import { describe, expect, it } from 'vitest';
import { isFleetError } from '../../../../shared/src/errors.js';
import { parseSshPublicKeyLine } from './ssh-public-key.js';
import { armoredSshSig, ed25519TestKey } from '../../../../test/support/ssh-test-signer.js';
import { createCommitVerifier } from './verifier.js';

const signer = ed25519TestKey();
const unsigned = 'tree 4b825dc642cb6eb9a060e54bf8d69288fbbb4904\nauthor A <a@x> 1700000000 +0000\ncommitter A <a@x> 1700000000 +0000\n\nmessage\n';

/** Signs `unsigned` and inserts the header where git puts it: after the last header. */
function signedCommit(header: string, armored: string): Buffer {
  const [head, body] = unsigned.split('\n\n');
  const value = armored.replace(/\n$/, '').split('\n').join('\n ');
  return Buffer.from(`${head}\n${header} ${value}\n\n${body}`);
}

describe('createCommitVerifier', () => {
  it('accepts a gpgsig-sha256 signature, as a SHA-256 repository writes it', async () => {
    const verify = await createCommitVerifier({ sshPublicKeys: [signer.line], openpgpPublicKeys: [] });
    const raw = signedCommit('gpgsig-sha256', armoredSshSig(signer, Buffer.from(unsigned)));
    expect(await verify(raw)).toEqual({ ok: true, signer: parseSshPublicKeyLine(signer.line).fingerprint, format: 'ssh' });
  });

  it('calls an x509 (gpgsm) signature unsupported', async () => {
    const verify = await createCommitVerifier({ sshPublicKeys: [signer.line], openpgpPublicKeys: [] });
    const raw = signedCommit('gpgsig', '-----BEGIN SIGNED MESSAGE-----\nMIAG\n-----END SIGNED MESSAGE-----\n');
    expect(await verify(raw)).toMatchObject({ ok: false, reason: 'unsupported', message: expect.stringMatching(/x509/) });
  });

  it('calls a commit with two gpgsig headers a bad signature', async () => {
    const verify = await createCommitVerifier({ sshPublicKeys: [signer.line], openpgpPublicKeys: [] });
    const armored = armoredSshSig(signer, Buffer.from(unsigned));
    const once = signedCommit('gpgsig', armored).toString();
    const twice = once.replace('\n\n', `\ngpgsig ${armored.replace(/\n$/, '').split('\n').join('\n ')}\n\n`);
    expect(await verify(Buffer.from(twice))).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('throws a validation error that lists each bad key with its position', async () => {
    const error: unknown = await createCommitVerifier({ sshPublicKeys: ['ssh-ed25519', signer.line, 'nonsense'], openpgpPublicKeys: [] }).catch(
      (e: unknown) => e,
    );
    expect(isFleetError(error, 'validation')).toBe(true);
    expect(error instanceof Error && error.message.split('\n').slice(1)).toEqual([
      expect.stringMatching(/^ {2}- sshPublicKeys\[0\] \(ssh-ed25519\): /),
      expect.stringMatching(/^ {2}- sshPublicKeys\[2\] \(nonsense\): /),
    ]);
  });
});
