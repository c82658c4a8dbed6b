import { describe, expect, it } from 'vitest';
import { parseSshPublicKeyLine } from './ssh-public-key.js';
import { verifySshSignature } from './ssh-signature.js';
import { armoredSshSig, ed25519TestKey } from '../../../../test/support/ssh-test-signer.js';

const payload = Buffer.from('tree 0000\nauthor a\n\nmessage\n');
const signer = ed25519TestKey();
const trusted = [parseSshPublicKeyLine(signer.line)];
const fingerprint = trusted[0]?.fingerprint;

describe('verifySshSignature', () => {
  it.each(['sha512', 'sha256'])('accepts a git signature hashed with %s', (hashAlgorithm) => {
    const verdict = verifySshSignature(armoredSshSig(signer, payload, { hashAlgorithm }), payload, trusted);
    expect(verdict).toEqual({ ok: true, signer: fingerprint, format: 'ssh' });
  });

  it('refuses a signature for another payload', () => {
    const verdict = verifySshSignature(armoredSshSig(signer, payload), Buffer.from('other'), trusted);
    expect(verdict).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a valid signature made for another namespace', () => {
    const verdict = verifySshSignature(armoredSshSig(signer, payload, { namespace: 'file' }), payload, trusted);
    expect(verdict).toMatchObject({ ok: false, reason: 'bad-signature', message: expect.stringMatching(/namespace 'file'/) });
  });

  it('names an untrusted signer by fingerprint', () => {
    const stranger = ed25519TestKey();
    const strangerFingerprint = parseSshPublicKeyLine(stranger.line).fingerprint;
    const verdict = verifySshSignature(armoredSshSig(stranger, payload), payload, trusted);
    expect(verdict).toEqual({ ok: false, reason: 'unknown-signer', message: expect.stringContaining(strangerFingerprint) });
  });

  it.each([
    ['an unknown version', { version: 2 }, /version 2/],
    ['a hash outside sha256/sha512', { hashAlgorithm: 'sha1' }, /hash 'sha1'/],
  ])('calls %s unsupported', (_name, options, message) => {
    const verdict = verifySshSignature(armoredSshSig(signer, payload, options), payload, trusted);
    expect(verdict).toMatchObject({ ok: false, reason: 'unsupported', message: expect.stringMatching(message) });
  });

  it.each([
    ['no armor', 'U1NIU0lH'],
    ['a body that is not base64', '-----BEGIN SSH SIGNATURE-----\n!!\n-----END SSH SIGNATURE-----\n'],
    ['a truncated blob', '-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ==\n-----END SSH SIGNATURE-----\n'],
    ['wrong magic', '-----BEGIN SSH SIGNATURE-----\nWFhYWFhYAAAAAQ==\n-----END SSH SIGNATURE-----\n'],
  ])('calls %s a bad signature', (_name, armored) => {
    expect(verifySshSignature(armored, payload, trusted)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });
});
