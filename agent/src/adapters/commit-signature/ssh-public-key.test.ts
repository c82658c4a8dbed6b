import { describe, expect, it } from 'vitest';
import { parseSshPublicKeyBlob, parseSshPublicKeyLine } from './ssh-public-key.js';
import { ecdsaP256TestKey, ed25519TestKey, rsaTestKey } from '../../../../test/support/ssh-test-signer.js';
import { sshString } from './ssh-wire.js';

/** Keys made by `ssh-keygen -t …`; fingerprints as `ssh-keygen -lf` printed them. */
const OPENSSH_KEYS = [
  {
    line: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBOee1V/4RwrfbOSpx93nC1q2mW17mGpeCzjkqC1TLA1 root@vm',
    fingerprint: 'SHA256:Du3MAmuRm0kAB/8ZDD+5GjdIO6vMKI8sQLi7mYNGUEo',
  },
  {
    line: 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBDK43X75nKU1aZohIe1nVR3y89FLrjFooXqYhOPTdaoCnqb42kXPZaZyZo406dlrFH0+ZsCGHZnW/y6tlGHsGcE= root@vm',
    fingerprint: 'SHA256:QU+qeBITfrVE0hJZbyr2E8Rcd4POrZorntNCPXhdc0o',
  },
  {
    line:
      'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQDl3IiIxJd7YQOz46T8nuubH4NAvgG8psQNScTA4ET6491SsGO5cCYedh/BISfiwJB+v/pUVTgJmEst26d96if3PDVP93MAzfx8AIv899JLjkX8Hri4cWIAMY5BVvndc1az4eecERZQFIZdFbvmf9tzspg26IyYrTVGfaEcbDh8IRD8cymX1IVtbsjvj0KHHf7M0Zu7krTcx66ArPmlPbHF46m0RsSrbjJ26WdE2gXW9Z2ZMAbGegLDRHgkoKfT+03F/BxL+D7fYnCkfPcIetcbPFA614S5YFf1GVaRtnE1RaJcqcI6ftRswwQ+Qs5Q/2Uu2QdBZCwuewrVRdHuj8y9H6WjImAcUgfIMjG6gw6QBNoXXtsj4rUiUNa2jXDcPxQxtzbS5SnSvoj0bVaGEmoRZw5HoumVx4H8uYnQxjIi9cmJs4VVY5o33bdB7lPovy/I3TGKNEFrHuX0kVVY/xfUROSThb3mdrx2x5OB7q8j9jDtix+oZ3iaSR2XwYha998= root@vm',
    fingerprint: 'SHA256:/AhZFMatJWU+CUhNalSFOUamKJYyvGKHko6L18Q/bs8',
  },
];

describe('parseSshPublicKeyLine', () => {
  it.each(OPENSSH_KEYS)('parses $fingerprint with the fingerprint ssh-keygen prints', ({ line, fingerprint }) => {
    const key = parseSshPublicKeyLine(`  ${line}\n`);
    expect(key.fingerprint).toBe(fingerprint);
    expect(key.type).toBe(line.split(' ')[0]);
  });

  it.each([
    ['a bare type', 'ssh-ed25519', /expected 'type base64-key/],
    ['non-base64 key', 'ssh-ed25519 not*base64', /not base64/],
    ['a truncated blob', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBOe', /malformed key: truncated/],
    ['a label that disagrees with the blob', OPENSSH_KEYS[0]?.line.replace(/^ssh-ed25519/, 'ssh-rsa') ?? '', /says 'ssh-rsa'/],
    ['an unsupported type', `ssh-dss ${sshString('ssh-dss').toString('base64')}`, /unsupported key type 'ssh-dss'/],
    ['a weak RSA key', rsaTestKey(1024).line, /1024 bits; at least 2048/],
    // An inherited property name must not pass for a supported type.
    ['a prototype property as type', `toString ${sshString('toString').toString('base64')}`, /unsupported key type 'toString'/],
  ])('refuses %s', (_name, line, message) => {
    expect(() => parseSshPublicKeyLine(line)).toThrow(message);
  });

  it('refuses trailing bytes after the key', () => {
    const blob = Buffer.concat([Buffer.from(ed25519TestKey().blob), Buffer.from([0])]);
    expect(() => parseSshPublicKeyBlob(blob)).toThrow(/trailing bytes/);
  });
});

describe('SshPublicKey.verify', () => {
  const data = Buffer.from('signed data');

  it.each([
    ['ed25519', ed25519TestKey()],
    ['ecdsa-sha2-nistp256', ecdsaP256TestKey()],
    ['rsa-sha2-512', rsaTestKey(2048)],
  ])('accepts a %s signature over the data and refuses it over other data', (_name, testKey) => {
    const key = parseSshPublicKeyLine(testKey.line);
    const signature = testKey.signRaw(data);
    expect(key.verify(signature, data)).toEqual({ ok: true });
    expect(key.verify(signature, Buffer.from('other data'))).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a signature format that does not belong to the key type', () => {
    const testKey = ed25519TestKey();
    const inner = testKey.signRaw(data).subarray(4 + 'ssh-ed25519'.length);
    const relabelled = Buffer.concat([sshString('ssh-rsa'), inner]);
    expect(parseSshPublicKeyLine(testKey.line).verify(relabelled, data)).toMatchObject({ ok: false, reason: 'unsupported' });
  });

  it('calls a garbled signature blob bad, not an exception', () => {
    const key = parseSshPublicKeyLine(ed25519TestKey().line);
    expect(key.verify(Buffer.from([0, 0, 0, 99]), data)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });
});
