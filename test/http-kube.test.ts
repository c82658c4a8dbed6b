/**
 * HttpKube's own duties, against a scripted HTTP server: credentials from its connection on every
 * request (and once more after a 401 when they changed), discovery caching, errors that are not
 * Status objects, the response bound and the timeout.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpKube, httpKubeFromUrl } from '../agent/src/adapters/kube/http-kube.js';
import { plainConnection } from '../agent/src/adapters/kube/kube-connection.js';
import type { KubeConnection } from '../agent/src/adapters/kube/kube-connection.js';
import { KubeApiError } from '../agent/src/ports/kube.js';
import { FleetError } from '../shared/src/errors.js';

const CORE_V1 = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [
    { name: 'configmaps', namespaced: true, kind: 'ConfigMap' },
    { name: 'namespaces', namespaced: false, kind: 'Namespace' },
    { name: 'namespaces/status', namespaced: false, kind: 'Namespace' },
  ],
};

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

describe('HttpKube', () => {
  let server: Server | undefined;
  let kube: HttpKube | undefined;
  const seen: IncomingMessage[] = [];

  afterEach(async () => {
    kube?.close();
    seen.length = 0;
    await new Promise<void>((resolve) => {
      server?.closeAllConnections();
      server?.close(() => resolve());
    });
    server = undefined;
  });

  async function serve(handler: Handler): Promise<string> {
    server = createServer((request, response) => {
      seen.push(request);
      if (request.url?.startsWith('/api/v1?') || request.url === '/api/v1') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(CORE_V1));
        return;
      }
      handler(request, response);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server?.address() as AddressInfo).port}`;
  }

  const cmRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'shop' };
  const json = (status: number, body: unknown): Handler => (_request, response) => {
    response.statusCode = status;
    response.end(JSON.stringify(body));
  };

  /** A plain connection that also sends a token, read from `tokens` at each request. */
  function tokenConnection(url: string, tokens: { current: string }): KubeConnection & { reloads: number } {
    const plain = plainConnection(url);
    const connection = {
      ...plain,
      reloads: 0,
      async decorate(options: Parameters<KubeConnection['decorate']>[0]) {
        await plain.decorate(options);
        options.headers = { ...options.headers, authorization: `Bearer ${tokens.current}` };
      },
      reloadCredentials(refused: Parameters<KubeConnection['decorate']>[0]) {
        connection.reloads += 1;
        return Promise.resolve((refused.headers as Record<string, unknown>)['authorization'] !== `Bearer ${tokens.current}`);
      },
    };
    return connection;
  }

  it("asks its connection for credentials on every request, pools connections, and asks discovery once per group version", async () => {
    const url = await serve(json(200, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }));
    const tokens = { current: 'first' };
    kube = new HttpKube(tokenConnection(url, tokens));
    await kube.get(cmRef);
    await kube.get(cmRef);
    tokens.current = 'second';
    await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' });
    expect(seen.map((r) => r.url)).toEqual(['/api/v1', '/api/v1/namespaces/shop/configmaps/a', '/api/v1/namespaces/shop/configmaps/a', '/api/v1/namespaces/shop']);
    expect(seen.map((r) => r.headers.authorization)).toEqual(['Bearer first', 'Bearer first', 'Bearer first', 'Bearer second']);
    expect(new Set(seen.map((r) => r.socket)).size).toBe(1);
  });

  it('sends a request refused with 401 once more when the connection has new credentials, and only then', async () => {
    const tokens = { current: 'old' };
    const url = await serve((request, response) => {
      const allowed = request.headers.authorization === `Bearer ${tokens.current}`;
      json(allowed ? 200 : 401, allowed ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } } : { kind: 'Status', code: 401, reason: 'Unauthorized', message: 'Unauthorized' })(request, response);
    });
    const connection = tokenConnection(url, tokens);
    kube = new HttpKube(connection);
    await kube.get(cmRef);
    // The token rotates between the connection's read and the request: the server refuses it once.
    const original = connection.decorate;
    connection.decorate = async (options) => {
      await original(options);
      tokens.current = 'new';
      connection.decorate = original;
    };
    expect(await kube.get(cmRef)).toMatchObject({ metadata: { name: 'a' } });
    expect(seen.slice(1).map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/api/v1/namespaces/shop/configmaps/a', 'Bearer old'],
      ['/api/v1/namespaces/shop/configmaps/a', 'Bearer old'],
      ['/api/v1/namespaces/shop/configmaps/a', 'Bearer new'],
    ]);
    expect(connection.reloads).toBe(1);

    // Credentials that did not change are not retried: the 401 is the answer.
    tokens.current = 'revoked';
    const plainRefusal = new HttpKube(tokenConnection(url, { current: 'wrong' }));
    const error = await plainRefusal.get(cmRef).catch((e: unknown) => e);
    plainRefusal.close();
    expect((error as KubeApiError).code).toBe(401);
  });

  it('refreshes discovery on a miss, then reports the kind as not served', async () => {
    const url = await serve(json(404, {}));
    kube = httpKubeFromUrl(url);
    await kube.get(cmRef);
    const error = await kube.list('v1', 'Widget').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).code).toBe(404);
    expect(seen.filter((r) => r.url === '/api/v1')).toHaveLength(2);
  });

  it('turns a Status into a KubeApiError, and anything else into one with the HTTP status', async () => {
    const status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'nope', reason: 'Forbidden', code: 403 };
    let url = await serve(json(403, status));
    kube = httpKubeFromUrl(url);
    const forbidden = await kube.delete(cmRef).catch((e: unknown) => e);
    expect([(forbidden as KubeApiError).code, (forbidden as KubeApiError).reason, (forbidden as KubeApiError).message]).toEqual([403, 'Forbidden', 'nope']);
    kube.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));

    url = await serve((_request, response) => {
      response.statusCode = 502;
      response.end('<html>bad gateway</html>');
    });
    kube = httpKubeFromUrl(url);
    const gateway = await kube.get(cmRef).catch((e: unknown) => e);
    expect(gateway).toBeInstanceOf(KubeApiError);
    expect((gateway as KubeApiError).code).toBe(502);
    expect((gateway as KubeApiError).message).toContain('bad gateway');
  });

  it('refuses an answer larger than the bound', async () => {
    const url = await serve(json(200, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { blob: 'x'.repeat(10_000) } }));
    kube = httpKubeFromUrl(url, { maxResponseBytes: 4096 });
    const error = await kube.get(cmRef).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetError);
    expect(String(error)).toContain('larger than 4096 bytes');
  });

  it('gives up on a server that does not answer, as a transient failure', async () => {
    // The handler never responds: only the client's timeout can end the request.
    const url = await serve(() => {});
    kube = httpKubeFromUrl(url, { timeoutMs: 100 });
    const error = await kube.get(cmRef).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetError);
    expect((error as FleetError).kind).toBe('transient');
    expect(String(error)).toContain('no answer in time');
  });
});
