import { describe, expect, it } from 'vitest';
import { SqliteFleetStore } from './sqlite-fleet-store.js';
import { buildHttpApi } from './http-api.js';

describe('operator HTTP API', () => {
  const store = new SqliteFleetStore(':memory:');
  const api = buildHttpApi(store);

  it('lists registered clusters with their presence and status', async () => {
    store.registerCluster('store-1', { region: 'eu' }, 'hash', new Date('2026-11-22T00:00:00Z'));
    store.setPresence('store-1', 'online', '0.1.0', new Date('2026-11-22T00:01:00Z'));
    const response = await api.inject({ method: 'GET', url: '/api/v1/clusters' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      items: [
        {
          id: 'store-1',
          labels: { region: 'eu' },
          presence: 'online',
          presenceAt: '2026-11-22T00:01:00.000Z',
          agentVersion: '0.1.0',
          lastSeq: 0,
          status: null,
          statusAt: null,
        },
      ],
    });
    expect(JSON.stringify(response.json())).not.toContain('hash');
  });

  it('answers 404 with a message for an unknown cluster', async () => {
    const response = await api.inject({ method: 'GET', url: '/api/v1/clusters/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'cluster nope is not registered' });
  });
});
