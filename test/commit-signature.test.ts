import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFleetError } from '../shared/src/errors.js';
import { createCommitVerifier, extractCommitSignature } from '../agent/src/adapters/commit-signature/index.js';
import type { CommitVerifier } from '../agent/src/adapters/commit-signature/index.js';
import { makeTempDir } from './support/temp-dir.js';

/**
 * Commit signature verification against real signatures: commits signed by native git with
 * keys made by ssh-keygen and gpg, in a temporary HOME and GNUPGHOME so the machine's own
 * configuration and keys play no part.
 */

const run = promisify(execFile);
const available = (command: string, args: string[]): boolean => spawnSync(command, args, { stdio: 'ignore' }).error === undefined;
const hasGit = available('git', ['--version']);
const hasSshKeygen = available('ssh-keygen', ['-Y', 'help']);
const hasGpg = available('gpg', ['--version']);

const temp = makeTempDir('commit-signature');
const home = temp.dir;
const repo = join(home, 'repo');
const gnupgHome = join(home, 'gnupg');
const env: NodeJS.ProcessEnv = {
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  HOME: home,
  GNUPGHOME: gnupgHome,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Signer',
  GIT_AUTHOR_EMAIL: 'signer@example.invalid',
  GIT_COMMITTER_NAME: 'Signer',
  GIT_COMMITTER_EMAIL: 'signer@example.invalid',
  // Fixed dates let a signed commit and its unsigned twin be byte-identical apart from the signature.
  GIT_AUTHOR_DATE: '1700000000 +0000',
  GIT_COMMITTER_DATE: '1700000000 +0000',
};

const tool = async (command: string, args: string[], input?: Buffer): Promise<Buffer> => {
  const child = run(command, args, { cwd: repo, env, encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 });
  child.child.stdin?.on('error', () => undefined);
  if (input) child.child.stdin?.end(input);
  return (await child).stdout;
};

let commits = 0;
/** Commits (no tree change, unique message), signed (-S) when given signing settings; returns the raw object. */
async function commit(signing: string[], message = `change ${++commits}`): Promise<Buffer> {
  const sign = signing.length > 0 ? ['-S'] : [];
  await tool('git', [...signing.flatMap((c) => ['-c', c]), 'commit', '--quiet', '--allow-empty', ...sign, '-m', message]);
  return tool('git', ['cat-file', 'commit', 'HEAD']);
}

/** Flips one byte of the commit message, the last byte before the final newline. */
function tamper(raw: Buffer): Buffer {
  const copy = Buffer.from(raw);
  copy[copy.length - 2] = (copy[copy.length - 2] ?? 0) ^ 0x01;
  return copy;
}

beforeAll(async () => {
  mkdirSync(repo);
  mkdirSync(gnupgHome, { mode: 0o700 });
  if (hasGit) await tool('git', ['init', '--quiet', '--initial-branch=main']);
});

afterAll(async () => {
  // gpg starts an agent in GNUPGHOME; it must not outlive the test or its directory.
  if (hasGpg) await tool('gpgconf', ['--kill', 'all']).catch(() => undefined);
  temp.remove();
});

describe('trusted key configuration', () => {
  it('names every key that does not parse', async () => {
    const error: unknown = await createCommitVerifier({
      sshPublicKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBOee1V/4RwrfbOSpx93nC1q2mW17mGpeCzjkqC1TLA1', 'ssh-ed25519 not!base64'],
      openpgpPublicKeys: ['-----BEGIN PGP PUBLIC KEY BLOCK-----\n\ngarbage\n-----END PGP PUBLIC KEY BLOCK-----\n'],
    }).catch((e: unknown) => e);
    expect(isFleetError(error, 'validation')).toBe(true);
    const message = error instanceof Error ? error.message : '';
    expect(message).toMatch(/sshPublicKeys\[1\] \(ssh-ed25519 not!base64\): the key part is not base64/);
    expect(message).toMatch(/openpgpPublicKeys\[0\]: not an armored OpenPGP public key/);
    expect(message).not.toMatch(/sshPublicKeys\[0\]/);
  });

  it('refuses to start with no trusted keys at all', async () => {
    await expect(createCommitVerifier({ sshPublicKeys: [], openpgpPublicKeys: [] })).rejects.toThrow(/no trusted keys/);
  });

  it('imports openpgp only lazily, so SSH-only agents never load it', () => {
    const folder = join(import.meta.dirname, '../agent/src/adapters/commit-signature');
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const source = readFileSync(join(folder, file), 'utf8');
      const staticImports = source.match(/^import (?!type ).*from 'openpgp';$/gm) ?? [];
      expect(staticImports, file).toEqual([]);
    }
  });
});

/** A suite title that says why it did not run, so a skip is never silent. */
const title = (name: string, missing: string[]): string => (missing.length === 0 ? name : `${name} (skipped: ${missing.join(', ')} not on PATH)`);
const missing = (tools: Record<string, boolean>): string[] => Object.keys(tools).filter((name) => !tools[name]);

describe.skipIf(!hasGit)(title('unsigned commits', missing({ git: hasGit })), () => {
  it('are rejected as unsigned', async () => {
    const verify = await createCommitVerifier({ sshPublicKeys: [ED25519_SAMPLE], openpgpPublicKeys: [] });
    expect(await verify(await commit([]))).toEqual({ ok: false, reason: 'unsigned', message: 'the commit is not signed' });
  });
});

describe.skipIf(!hasGit || !hasSshKeygen)(title('SSH-signed commits', missing({ git: hasGit, 'ssh-keygen': hasSshKeygen })), () => {
  const keyTypes = [['ed25519'], ['rsa'], ['ecdsa']] as const;
  const keys = new Map<string, { path: string; line: string; fingerprint: string }>();
  let verify: CommitVerifier;

  const makeKey = async (name: string, type: string): Promise<void> => {
    const path = join(home, `${name}-key`);
    await tool('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', `${name}@example.invalid`, '-f', path]);
    const line = readFileSync(`${path}.pub`, 'utf8').trim();
    // ssh-keygen's own fingerprint is the independent expectation for the verdict's signer.
    const fingerprint = (await tool('ssh-keygen', ['-l', '-f', `${path}.pub`])).toString().split(' ')[1] ?? '';
    keys.set(name, { path, line, fingerprint });
  };
  const key = (name: string): { path: string; line: string; fingerprint: string } => {
    const found = keys.get(name);
    if (!found) throw new Error(`no test key ${name}`);
    return found;
  };
  const sshSign = (name: string): string[] => ['gpg.format=ssh', `user.signingkey=${key(name).path}`];

  beforeAll(async () => {
    for (const [type] of keyTypes) await makeKey(type, type);
    await makeKey('untrusted', 'ed25519');
    verify = await createCommitVerifier({ sshPublicKeys: keyTypes.map(([type]) => key(type).line), openpgpPublicKeys: [] });
  });

  it.each(keyTypes)('accepts a commit signed with an %s key, naming it as ssh-keygen does', async (type) => {
    expect(await verify(await commit(sshSign(type)))).toEqual({ ok: true, signer: key(type).fingerprint, format: 'ssh' });
  });

  it('rejects a commit signed by a key that is not trusted', async () => {
    const verdict = await verify(await commit(sshSign('untrusted')));
    expect(verdict).toEqual({ ok: false, reason: 'unknown-signer', message: expect.stringContaining(key('untrusted').fingerprint) });
  });

  it('rejects a commit whose message was changed after signing', async () => {
    const raw = await commit(sshSign('ed25519'));
    expect(await verify(tamper(raw))).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('accepts old and new keys during a rotation, and only the new one after it', async () => {
    const during = await createCommitVerifier({ sshPublicKeys: [key('ed25519').line, key('untrusted').line], openpgpPublicKeys: [] });
    const after = await createCommitVerifier({ sshPublicKeys: [key('untrusted').line], openpgpPublicKeys: [] });
    const old = await commit(sshSign('ed25519'));
    const renewed = await commit(sshSign('untrusted'));
    expect(await during(old)).toMatchObject({ ok: true, signer: key('ed25519').fingerprint });
    expect(await during(renewed)).toMatchObject({ ok: true, signer: key('untrusted').fingerprint });
    expect(await after(old)).toMatchObject({ ok: false, reason: 'unknown-signer' });
  });

  it('extracts the payload ssh-keygen -Y verify accepts, identical to the unsigned commit', async () => {
    const raw = await commit(sshSign('ed25519'), 'payload check\n\nwith a body\n');
    const extracted = extractCommitSignature(raw);
    if (extracted.kind !== 'signed') throw new Error(`expected a signed commit, got ${extracted.kind}`);
    const allowed = join(home, 'allowed_signers');
    const signature = join(home, 'commit.sig');
    writeFileSync(allowed, `signer@example.invalid ${key('ed25519').line}\n`);
    writeFileSync(signature, extracted.signature);
    const check = ['-Y', 'verify', '-f', allowed, '-I', 'signer@example.invalid', '-n', 'git', '-s', signature];
    await expect(tool('ssh-keygen', check, Buffer.from(extracted.payload))).resolves.toBeDefined();
    await expect(tool('ssh-keygen', check, tamper(Buffer.from(extracted.payload)))).rejects.toThrow();

    // The same commit made without -S, with the same dates: git's own bytes for the payload.
    const [tree, parent] = (await tool('git', ['show', '-s', '--format=%T %P', 'HEAD'])).toString().trim().split(' ');
    const twin = (await tool('git', ['commit-tree', tree ?? '', '-p', parent ?? '', '-m', 'payload check\n\nwith a body'])).toString().trim();
    const unsigned = await tool('git', ['cat-file', 'commit', twin]);
    expect(Buffer.from(extracted.payload).equals(unsigned)).toBe(true);
  });
});

describe.skipIf(!hasGit || !hasGpg)(title('OpenPGP-signed commits', missing({ git: hasGit, gpg: hasGpg })), () => {
  const fingerprints = new Map<string, string>();
  const armored = new Map<string, string>();
  let verify: CommitVerifier;

  const makeKey = async (name: string): Promise<void> => {
    const uid = `${name} <${name}@example.invalid>`;
    await tool('gpg', ['--batch', '--quiet', '--passphrase', '', '--quick-gen-key', uid, 'ed25519', 'sign', 'never']);
    const colons = (await tool('gpg', ['--batch', '--with-colons', '--list-keys', uid])).toString();
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1] ?? '';
    fingerprints.set(name, fingerprint);
    armored.set(name, (await tool('gpg', ['--batch', '--armor', '--export', fingerprint])).toString());
  };
  const pgpSign = (name: string): string[] => ['gpg.program=gpg', `user.signingkey=${fingerprints.get(name) ?? ''}`];

  beforeAll(async () => {
    for (const name of ['trusted', 'rotated', 'untrusted']) await makeKey(name);
    verify = await createCommitVerifier({ sshPublicKeys: [], openpgpPublicKeys: [armored.get('trusted') ?? ''] });
  });

  it('accepts a commit signed by a trusted key, naming its fingerprint as gpg does', async () => {
    const verdict = await verify(await commit(pgpSign('trusted')));
    expect(verdict).toEqual({ ok: true, signer: fingerprints.get('trusted'), format: 'openpgp' });
  });

  it('rejects a commit signed by a key that is not trusted', async () => {
    expect(await verify(await commit(pgpSign('untrusted')))).toMatchObject({ ok: false, reason: 'unknown-signer' });
  });

  it('rejects a commit whose message was changed after signing', async () => {
    const raw = await commit(pgpSign('trusted'));
    expect(await verify(tamper(raw))).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('accepts either key during a rotation, from one armored block or two', async () => {
    const both = (armored.get('trusted') ?? '') + (armored.get('rotated') ?? '');
    for (const openpgpPublicKeys of [[armored.get('trusted') ?? '', armored.get('rotated') ?? ''], [both]]) {
      const during = await createCommitVerifier({ sshPublicKeys: [], openpgpPublicKeys });
      expect(await during(await commit(pgpSign('trusted')))).toMatchObject({ ok: true, signer: fingerprints.get('trusted') });
      expect(await during(await commit(pgpSign('rotated')))).toMatchObject({ ok: true, signer: fingerprints.get('rotated') });
    }
  });

  it('names the primary key when a signing subkey made the signature', async () => {
    await makeKey('subkeyed');
    const primary = fingerprints.get('subkeyed') ?? '';
    await tool('gpg', ['--batch', '--quiet', '--passphrase', '', '--quick-add-key', primary, 'ed25519', 'sign', 'never']);
    const colons = (await tool('gpg', ['--batch', '--with-colons', '--list-keys', primary])).toString();
    const subkey = [...colons.matchAll(/^fpr:+([0-9A-F]{40}):/gm)].map((m) => m[1]).find((f) => f !== primary) ?? '';
    const exported = (await tool('gpg', ['--batch', '--armor', '--export', primary])).toString();
    const withSubkey = await createCommitVerifier({ sshPublicKeys: [], openpgpPublicKeys: [exported] });
    // The trailing '!' makes gpg sign with exactly this subkey instead of picking one.
    const raw = await commit(['gpg.program=gpg', `user.signingkey=${subkey}!`]);
    const signingKey = (await tool('git', ['-c', 'gpg.program=gpg', 'show', '-s', '--format=%GF', 'HEAD'])).toString().trim();
    expect(signingKey).toBe(subkey);
    expect(await withSubkey(raw)).toEqual({ ok: true, signer: primary, format: 'openpgp' });
  });

  it('reports an OpenPGP commit as from an unknown signer when only SSH keys are trusted', async () => {
    const sshOnly = await createCommitVerifier({ sshPublicKeys: [ED25519_SAMPLE], openpgpPublicKeys: [] });
    expect(await sshOnly(await commit(pgpSign('trusted')))).toMatchObject({ ok: false, reason: 'unknown-signer' });
  });

  it('refuses a private key in the trusted keys', async () => {
    const secret = (await tool('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--armor', '--export-secret-keys', fingerprints.get('trusted') ?? ''])).toString();
    await expect(createCommitVerifier({ sshPublicKeys: [], openpgpPublicKeys: [secret] })).rejects.toThrow(/openpgpPublicKeys\[0\]: is a private key/);
  });
});

/** A well-formed key nobody here signs with. */
const ED25519_SAMPLE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBOee1V/4RwrfbOSpx93nC1q2mW17mGpeCzjkqC1TLA1 sample';
