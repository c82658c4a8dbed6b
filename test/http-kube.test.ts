/**
 * HttpKube's own duties, against a scripted HTTP server: credentials from the KubeConfig,
 * discovery caching, errors that are not Status objects, the response bound and the timeout.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpKube, httpKubeFromUrl } from '../agent/src/adapters/http-kube.js';
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

  it('sends the credentials of the KubeConfig and asks discovery once per group version', async () => {
    const url = await serve(json(200, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }));
    const config = new KubeConfig();
    config.loadFromClusterAndUser({ name: 'c', server: url, skipTLSVerify: true }, { name: 'u', token: 'secret-token' });
    kube = new HttpKube(config);
    await kube.get(cmRef);
    await kube.get(cmRef);
    await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' });
    expect(seen.map((r) => r.url)).toEqual(['/api/v1', '/api/v1/namespaces/shop/configmaps/a', '/api/v1/namespaces/shop/configmaps/a', '/api/v1/namespaces/shop']);
    expect(seen.every((r) => r.headers.authorization === 'Bearer secret-token')).toBe(true);
    expect(new Set(seen.map((r) => r.socket)).size).toBe(1);
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
