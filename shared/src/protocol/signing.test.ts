import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, loadSigningKey, loadTrustedKeys, signDirective, verifyDirectiveSignature } from './signing.js';
import { Directive } from './protocol.js';

const unsigned = {
  v: 1 as const,
  clusterId: 'store-1',
  seq: 7,
  rolloutId: 'r-1',
  wave: 'canary',
  revision: 'a'.repeat(40),
  repo: 'https://git.example/fleet.git',
  path: 'apps',
  issuedAt: '2026-11-22T10:00:00.000Z',
  expiresAt: '2026-11-23T10:00:00.000Z',
};

describe('directive signatures', () => {
  const hub = generateSigningKeyPair();
  const key = loadSigningKey(hub.privateKeyPem);
  const trusted = loadTrustedKeys([hub.publicKeyPem]);

  it('signs a directive that verifies and matches the protocol schema', () => {
    const directive = signDirective(unsigned, key);
    expect(directive.keyId).toBe(hub.keyId);
    expect(Directive.safeParse(directive).success).toBe(true);
    expect(verifyDirectiveSignature(directive, trusted)).toEqual({ ok: true });
  });

  it('survives a JSON round trip with keys in another order', () => {
    const directive = signDirective(unsigned, key);
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(directive).reverse())));
    expect(verifyDirectiveSignature(reordered, trusted)).toEqual({ ok: true });
  });

  it('refuses tampered fields and unknown keys', () => {
    const directive = signDirective(unsigned, key);
    expect(verifyDirectiveSignature({ ...directive, seq: 8 }, trusted)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyDirectiveSignature({ ...directive, revision: 'b'.repeat(40) }, trusted)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    const other = generateSigningKeyPair();
    expect(verifyDirectiveSignature(directive, loadTrustedKeys([other.publicKeyPem]))).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
  });

  it('trusts several keys at once so the hub key can be rotated', () => {
    const next = generateSigningKeyPair();
    const both = loadTrustedKeys([hub.publicKeyPem, next.publicKeyPem]);
    expect(verifyDirectiveSignature(signDirective(unsigned, key), both).ok).toBe(true);
    expect(verifyDirectiveSignature(signDirective(unsigned, loadSigningKey(next.privateKeyPem)), both).ok).toBe(true);
  });
});
