import { describe, expect, it } from 'vitest';
import { ApiTokenVerifier, createApiToken } from './api-tokens.js';
import type { ApiTokenRecord, ApiTokenStore } from '../ports/api-token-store.js';

/** Counts lookups, so the test sees when scrypt runs again. */
class CountingStore implements ApiTokenStore {
  readonly records = new Map<string, ApiTokenRecord>();
  lookups = 0;
  addApiToken(record: ApiTokenRecord): void {
    this.records.set(record.name, record);
  }
  apiToken(name: string): ApiTokenRecord | undefined {
    this.lookups++;
    return this.records.get(name);
  }
}

describe('ApiTokenVerifier', () => {
  it('verifies a token once, then answers from a bounded cache that never holds the token', async () => {
    const store = new CountingStore();
    const tokens = await Promise.all(['a', 'b', 'c'].map((name) => createApiToken(store, name, 'viewer', new Date())));
    expect(tokens[0]).toMatch(/^a\.[\w-]{32}$/);
    expect(JSON.stringify([...store.records.values()])).not.toContain(tokens[0]!.split('.')[1]);
    const verifier = new ApiTokenVerifier(store, 2);
    expect(await verifier.verify(tokens[0]!)).toEqual({ name: 'a', role: 'viewer' });
    expect(await verifier.verify(tokens[0]!)).toEqual({ name: 'a', role: 'viewer' });
    expect(store.lookups).toBe(1);
    await verifier.verify(tokens[1]!);
    await verifier.verify(tokens[2]!);
    expect(verifier.cachedCount).toBe(2);
    await verifier.verify(tokens[0]!);
    expect(store.lookups).toBe(4);
  });

  it('refuses wrong and unknown tokens without caching them', async () => {
    const store = new CountingStore();
    const token = await createApiToken(store, 'ops', 'operator', new Date());
    const verifier = new ApiTokenVerifier(store);
    expect(await verifier.verify(`${token}x`)).toBeUndefined();
    expect(await verifier.verify('nobody.secret')).toBeUndefined();
    expect(await verifier.verify('no-dot')).toBeUndefined();
    expect(verifier.cachedCount).toBe(0);
  });
});
