import { describe, expect, it } from 'vitest';
import { generateToken, hashToken, verifyToken } from './credentials.js';

describe('cluster tokens', () => {
  it('verifies the right token and refuses others', async () => {
    const token = generateToken();
    const stored = await hashToken(token);
    expect(stored).not.toContain(token);
    expect(await verifyToken(token, stored)).toBe(true);
    expect(await verifyToken(`${token}x`, stored)).toBe(false);
    expect(await verifyToken(token, 'garbage')).toBe(false);
  });

  it('salts each hash', async () => {
    expect(await hashToken('same')).not.toBe(await hashToken('same'));
  });
});
