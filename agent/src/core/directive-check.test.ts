import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, loadSigningKey, loadTrustedKeys, signDirective } from '../../../shared/src/protocol/signing.js';
import type { Directive } from '../../../shared/src/protocol/protocol.js';
import { checkDirective } from './directive-check.js';
import type { DirectiveContext } from './directive-check.js';

const hub = generateSigningKeyPair();
const rotated = generateSigningKeyPair();
const stranger = generateSigningKeyPair();
const now = new Date('2026-11-22T10:00:00.000Z');

function directive(overrides: Partial<Directive> = {}, signer = hub): Directive {
  return signDirective(
    {
      v: 1,
      clusterId: 'store-1',
      seq: 7,
      rolloutId: 'r-1',
      wave: 'canary',
      revision: 'a'.repeat(40),
      repo: 'https://git.example/fleet.git',
      path: 'apps',
      issuedAt: '2026-11-22T09:59:00.000Z',
      expiresAt: '2026-11-22T11:00:00.000Z',
      ...overrides,
    },
    loadSigningKey(signer.privateKeyPem),
  );
}

const context = (accepted?: Directive): DirectiveContext => ({
  clusterId: 'store-1',
  repo: 'https://git.example/fleet.git',
  path: './apps/',
  trusted: loadTrustedKeys([hub.publicKeyPem, rotated.publicKeyPem]),
  accepted,
  now,
});

const check = (payload: Directive | string, accepted?: Directive) =>
  checkDirective(typeof payload === 'string' ? payload : JSON.stringify(payload), context(accepted));

describe('checkDirective', () => {
  it('accepts a fresh directive signed by any trusted key (rotation)', () => {
    expect(check(directive())).toMatchObject({ verdict: 'accept', directive: { seq: 7 } });
    expect(check(directive({}, rotated))).toMatchObject({ verdict: 'accept' });
  });

  it('treats the same repository or folder spelled with or without .git, ./ or a trailing slash as one', () => {
    expect(check(directive({ repo: 'https://git.example/fleet/' }))).toMatchObject({ verdict: 'accept' });
    expect(check(directive({ path: 'apps' }))).toMatchObject({ verdict: 'accept' });
  });

  it.each([
    ['tampered revision', () => JSON.stringify({ ...directive(), revision: 'b'.repeat(40) }), 'BadSignature'],
    ['tampered bytes of the signature', () => JSON.stringify({ ...directive(), sig: Buffer.alloc(64, 1).toString('base64') }), 'BadSignature'],
    ['an unknown key', () => JSON.stringify(directive({}, stranger)), 'UnknownKey'],
    ['another cluster', () => JSON.stringify(directive({ clusterId: 'store-2' })), 'WrongCluster'],
    ['another repository', () => JSON.stringify(directive({ repo: 'https://evil.example/fleet.git' })), 'WrongRepository'],
    ['another folder', () => JSON.stringify(directive({ path: 'apps/other' })), 'WrongPath'],
    ['an expired directive', () => JSON.stringify(directive({ expiresAt: '2026-11-22T09:59:59.000Z' })), 'Expired'],
    ['invalid JSON', () => '{"v":1,', 'Malformed'],
    ['a missing field', () => JSON.stringify({ ...directive(), wave: undefined }), 'Malformed'],
    ['an unknown field', () => JSON.stringify({ ...directive(), extra: 1 }), 'Malformed'],
  ])('refuses %s', (_name, payload, reason) => {
    expect(check(payload())).toMatchObject({ verdict: 'refuse', reason });
  });

  it('refuses an older seq and a replayed seq with different content, with a message naming both', () => {
    const accepted = directive({ seq: 7 });
    expect(check(directive({ seq: 6 }), accepted)).toMatchObject({ verdict: 'refuse', reason: 'Stale', message: expect.stringContaining('directive 7') });
    expect(check(directive({ seq: 7, revision: 'c'.repeat(40) }), accepted)).toMatchObject({ verdict: 'refuse', reason: 'Stale' });
    expect(check(directive({ seq: 8 }), accepted)).toMatchObject({ verdict: 'accept' });
  });

  it('recognizes the accepted directive delivered again as a repeat, not a refusal', () => {
    const accepted = directive();
    expect(check(accepted, accepted)).toEqual({ verdict: 'repeat' });
  });

  it('checks the signature before anything else, so a forgery learns nothing about state', () => {
    const forged = { ...directive({ seq: 1, clusterId: 'store-2' }), wave: 'forged' };
    expect(check(JSON.stringify(forged), directive({ seq: 9 }))).toMatchObject({ reason: 'BadSignature' });
  });
});
