/**
 * fleetctl against a tiny HTTP hub that answers what it is told to: every answer and stream
 * event is validated, and one it does not understand fails clearly, naming the route, the hub
 * and the first problems — also as the `fleetctl` process, which exits 1.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { routes } from '../../../shared/src/api/routes.js';
import { HubApiError, HubAnswerError, HubClient } from './hub-client.js';
import { watchRollout } from './watch.js';

const SHA = 'c'.repeat(40);
const T0 = '2026-11-22T10:00:00.000Z';
const T1 = '2026-11-22T10:05:00.000Z';
const plan = { revision: 'main', selector: {}, waves: [{ name: 'all', maxFailures: { count: 0 }, bake: 0, requireApproval: false }], progressDeadline: 600_000, offlinePolicy: 'wait', onFailure: 'pause' };
const rolloutEvent = (status: string, updatedAt = T0) => ({
  id: 'r-1', revision: SHA, status, reason: null, plan, wave: 0, createdAt: T0, updatedAt,
  waves: [{ index: 0, name: 'all', state: status === 'succeeded' ? 'done' : 'active', clusters: 1, phases: { [status === 'succeeded' ? 'healthy' : 'directed']: 1 } }],
});
const rolloutDetail = { ...rolloutEvent('running'), clusters: [{ id: 'store-1', wave: 'all', phase: 'directed', reason: null, previousRevision: null, directedAt: T0, healthySince: null }] };

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
const json = (body: unknown, status = 200): Handler => (_request, response) => {
  response.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
};
/** An event stream that sends `blocks` once subscribed and stays open. */
const stream = (...blocks: string[]): Handler => (_request, response) => {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.write(`: connected\n\n${blocks.join('')}`);
};
const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A hub on port 0 answering each path (without query) with its handler, and 404 otherwise. */
async function tinyHub(handlers: Record<string, Handler>): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url} ${request.headers.authorization ?? '-'}`);
    const handler = handlers[request.url!.split('?')[0]!] ?? json({ error: { kind: 'not-found', message: `no route ${request.url}` } }, 404);
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('HubClient', () => {
  it('returns answers that match the route schema, ignoring fields a newer hub added', async () => {
    const hub = await tinyHub({ '/api/v1/rollouts/r-1': json({ ...rolloutDetail, cost: 'new in a later hub' }), '/api/v1/clusters': json({ items: [] }) });
    const client = new HubClient({ url: hub.url, token: 'alice.secret' });
    const detail = await client.call(routes.getRollout, { params: { id: 'r-1' } });
    expect(detail).toEqual(rolloutDetail);
    await client.call(routes.listClusters, { query: { selector: 'ring in (a,b)', presence: undefined } });
    expect(hub.seen).toEqual(['GET /api/v1/rollouts/r-1 Bearer alice.secret', 'GET /api/v1/clusters?selector=ring+in+%28a%2Cb%29 Bearer alice.secret']);
  });

  it('refuses an answer it does not understand, naming the route, the hub and the first problems', async () => {
    const hub = await tinyHub({ '/api/v1/rollouts/r-1': json({ id: 'r-1', revision: SHA, status: 'exploded', wave: -1, waves: 'many' }) });
    const answer = new HubClient({ url: hub.url, token: undefined }).call(routes.getRollout, { params: { id: 'r-1' } });
    await expect(answer).rejects.toThrow(HubAnswerError);
    await expect(answer).rejects.toThrow(
      `the hub at ${hub.url} answered GET /api/v1/rollouts/r-1 with something fleetctl does not understand: ` +
        'status: Invalid option: expected one of "running"|"paused"|"awaitingApproval"|"rollingBack"|"succeeded"|"aborted"|"rolledBack"|"superseded"; ' +
        'reason: Invalid input: expected string, received undefined; plan: Invalid input: expected object, received undefined; and 5 more; is fleetctl older than the hub?',
    );
  });

  it('refuses a body that is not JSON, and an event stream that is not one', async () => {
    const hub = await tinyHub({ '/api/v1/fleet': json('<html>welcome</html>'), '/api/v1/stream': json({ items: [] }) });
    const client = new HubClient({ url: hub.url, token: undefined });
    await expect(client.call(routes.fleet, {})).rejects.toThrow(`the hub at ${hub.url} answered GET /api/v1/fleet with something fleetctl does not understand: a body that is not JSON (application/json, 20 bytes)`);
    await expect(client.stream(['rollout'], () => undefined, new AbortController().signal)).rejects.toThrow(/answered GET \/api\/v1\/stream with something fleetctl does not understand: application\/json instead of an event stream/);
  });

  it("reports the hub's errors, and whatever answers in its place", async () => {
    const hub = await tinyHub({
      '/api/v1/fleet': json({ error: { kind: 'unauthorized', message: 'the bearer token is not valid' } }, 401),
      '/api/v1/audit': json({ error: { kind: 'overloaded', message: 'a kind of a newer hub' } }, 429),
      '/api/v1/clusters': (_request, response) => response.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' }).end('<html>502</html>'),
    });
    const client = new HubClient({ url: hub.url, token: undefined });
    await expect(client.call(routes.fleet, {})).rejects.toThrow(new HubApiError(401, 'unauthorized', 'GET /api/v1/fleet: 401 the bearer token is not valid (set --token or FLEET_TOKEN)'));
    await expect(client.call(routes.audit, {})).rejects.toMatchObject({ status: 429, kind: 'overloaded', message: 'GET /api/v1/audit: 429 a kind of a newer hub' });
    await expect(client.call(routes.listClusters, {})).rejects.toMatchObject({ status: 502, kind: 'unknown', message: 'GET /api/v1/clusters: 502 Bad Gateway' });
  });
});

describe('rollout watch on the event stream', () => {
  const output = () => {
    const written: string[] = [];
    return { written, write: (text: string) => void written.push(text), tty: false, json: true };
  };

  it('skips events it does not read and follows the rollout to its end', async () => {
    const hub = await tinyHub({
      '/api/v1/rollouts/r-1': json(rolloutDetail),
      '/api/v1/stream': stream(sse('weather', 'sunny'), sse('cluster', 'not even JSON'), sse('rollout', { ...rolloutEvent('running'), id: 'r-2' }), sse('rollout', rolloutEvent('succeeded', T1))),
    });
    const out = output();
    await expect(watchRollout(new HubClient({ url: hub.url, token: undefined }), 'r-1', out)).resolves.toBe('succeeded');
    expect(JSON.parse(out.written.at(-1)!)).toMatchObject({ id: 'r-1', status: 'succeeded' });
  });

  it('stops with a clear error on a rollout event it does not understand', async () => {
    const hub = await tinyHub({ '/api/v1/rollouts/r-1': json(rolloutDetail), '/api/v1/stream': stream(sse('rollout', { ...rolloutEvent('running', T1), waves: [{ name: 'all' }] })) });
    await expect(watchRollout(new HubClient({ url: hub.url, token: undefined }), 'r-1', output())).rejects.toThrow(
      `the hub at ${hub.url} answered GET /api/v1/stream (event rollout) with something fleetctl does not understand: waves.0.index: Invalid input: expected number, received undefined;`,
    );
  });
});

describe('the fleetctl process', () => {
  it('exits 1 and says why when the hub answers something it does not understand', { timeout: 30_000 }, async () => {
    const hub = await tinyHub({ '/api/v1/rollouts/r-1': json({ ...rolloutDetail, status: 'exploded' }) });
    const { FLEET_TOKEN: _token, FLEET_HUB_URL: _url, ...env } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'main.ts'), '--hub', hub.url, 'rollout', 'get', 'r-1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `fleetctl: the hub at ${hub.url} answered GET /api/v1/rollouts/r-1 with something fleetctl does not understand: ` +
        'status: Invalid option: expected one of "running"|"paused"|"awaitingApproval"|"rollingBack"|"succeeded"|"aborted"|"rolledBack"|"superseded"; is fleetctl older than the hub?\n',
    );
  });
});
