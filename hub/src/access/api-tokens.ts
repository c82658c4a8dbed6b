/**
 * Operator API tokens. A token is `NAME.SECRET`: the name picks the one stored scrypt hash to
 * check, so verifying costs one scrypt whatever the number of tokens. scrypt is deliberately
 * slow, so verified tokens are remembered in memory, keyed by their SHA-256 — never the token.
 */
import { createHash } from 'node:crypto';
import { FleetError } from '../../../shared/src/errors.js';
import { generateToken, hashToken, verifyToken } from './credentials.js';
import type { ApiRole, ApiTokenStore } from '../ports/api-token-store.js';

const TOKEN_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface ApiCaller {
  name: string;
  role: ApiRole;
}

/** Creates a token and returns it — the only time it exists in clear. */
export async function createApiToken(store: ApiTokenStore, name: string, role: ApiRole, now: Date): Promise<string> {
  if (!TOKEN_NAME.test(name)) throw new FleetError('validation', `invalid token name "${name}": use lower-case letters, digits and dashes (a DNS label)`);
  if (role !== 'viewer' && role !== 'operator') throw new FleetError('validation', `invalid role "${String(role)}": viewer or operator`);
  const token = `${name}.${generateToken()}`;
  store.addApiToken({ name, role, tokenHash: await hashToken(token) }, now);
  return token;
}

export class ApiTokenVerifier {
  /** Insertion-ordered, so the first key is the least recently used. */
  private readonly verified = new Map<string, ApiCaller>();

  constructor(
    private readonly store: ApiTokenStore,
    private readonly maxCached = 1000,
  ) {}

  /** The caller a token belongs to, or undefined for an unknown or wrong token. */
  async verify(token: string): Promise<ApiCaller | undefined> {
    const key = createHash('sha256').update(token).digest('base64');
    const cached = this.verified.get(key);
    if (cached) {
      this.verified.delete(key);
      this.verified.set(key, cached);
      return cached;
    }
    const name = token.slice(0, token.indexOf('.'));
    const record = name ? this.store.apiToken(name) : undefined;
    if (!record || !(await verifyToken(token, record.tokenHash))) return undefined;
    const caller: ApiCaller = { name: record.name, role: record.role };
    this.verified.set(key, caller);
    if (this.verified.size > this.maxCached) this.verified.delete(this.verified.keys().next().value!);
    return caller;
  }

  get cachedCount(): number {
    return this.verified.size;
  }
}
