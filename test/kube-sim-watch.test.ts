/**
 * Watches over HTTP against the simulated Kubernetes API: a raw HTTP client reading the chunked
 * stream line by line, and real `kubectl get -w`. Time (watch timeouts, controllers) runs on a
 * manual clock, so nothing here waits on a timer.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/src/time/clock.js';
import { startKubeApiServer } from '../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../simulators/src/kube-api/server.js';
import { findKubectl, kubectlEnv } from './kube-sim-support.js';
import { makeTempDir } from './support/temp-dir.js';

interface WatchLine {
  type: string;
  object: { kind: string; metadata: { name?: string; resourceVersion?: string }; code?: number; reason?: string; rows?: unknown[] };
}

/** A watch request read one JSON line at a time. */
interface OpenWatch {
  response: IncomingMessage;
  next(): Promise<WatchLine>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

function openWatch(url: string, accept = 'application/json'): Promise<OpenWatch> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept } }, (response) => {
      const lines = createInterface({ input: response })[Symbol.asyncIterator]();
      const ended = new Promise<void>((done) => response.once('end', done));
      resolve({
        response,
        next: async () => {
          const line = await lines.next();
          if (line.done === true) throw new Error('the watch ended');
          return JSON.parse(line.value) as WatchLine;
        },
        ended,
        close: () => req.destroy(),
      });
    });
    req.once('error', reject);
    req.end();
  });
}

const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

describe('watch over HTTP', () => {
  const clock = new ManualClock(Date.parse('2025-06-01T08:00:00Z'));
  let server: KubeApiServer;

  beforeAll(async () => {
    server = await startKubeApiServer({ clock, watchHistory: 20, controllers: false });
  });
  afterAll(async () => {
    await server.close();
  });

  async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Record<string, unknown>> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': contentType },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return (await response.json()) as Record<string, unknown>;
  }

  it('streams ADDED, MODIFIED and DELETED as JSON lines on a chunked response, after the given resourceVersion', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('existing', { app: 'web' }));
    const list = await call('GET', '/api/v1/configmaps?labelSelector=app%3Dweb');
    const from = (list['metadata'] as { resourceVersion: string }).resourceVersion;
    const watch = await openWatch(`${server.url}/api/v1/configmaps?watch=true&labelSelector=app%3Dweb&resourceVersion=${from}`);
    expect(watch.response.statusCode).toBe(200);
    expect(watch.response.headers['transfer-encoding']).toBe('chunked');
    expect(watch.response.headers['content-type']).toBe('application/json');

    await call('POST', '/api/v1/namespaces/default/configmaps', cm('other', { app: 'db' }));
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('fresh', { app: 'web' }));
    await call('PATCH', '/api/v1/namespaces/default/configmaps/fresh', { data: { k: 'v' } }, 'application/merge-patch+json');
    await call('DELETE', '/api/v1/namespaces/default/configmaps/fresh');
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const event = await watch.next();
      seen.push(`${event.type} ${event.object.metadata.name}`);
      expect(Number(event.object.metadata.resourceVersion)).toBeGreaterThan(Number(from));
    }
    expect(seen).toEqual(['ADDED fresh', 'MODIFIED fresh', 'DELETED fresh']);
    watch.close();
  });

  it('watches one namespace of a named cluster with watch=1, starting with what exists', async () => {
    await call('POST', '/clusters/edge-7/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    await call('POST', '/clusters/edge-7/api/v1/namespaces/shop/configmaps', cm('a'));
    const watch = await openWatch(`${server.clusterUrl('edge-7')}/api/v1/namespaces/shop/configmaps?watch=1`);
    expect(await watch.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'a', namespace: 'shop' } } });
    await call('POST', '/clusters/edge-7/api/v1/namespaces/default/configmaps', cm('elsewhere'));
    await call('POST', '/clusters/edge-7/api/v1/namespaces/shop/configmaps', cm('b'));
    expect(await watch.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'b' } } });
    watch.close();
  });

  it('ends the stream when timeoutSeconds pass on the server clock', async () => {
    const watch = await openWatch(`${server.url}/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=30&resourceVersion=${Number(server.cluster('default').resourceVersion())}`);
    clock.advance(29_999);
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('before-timeout'));
    expect(await watch.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'before-timeout' } } });
    clock.advance(1);
    await watch.ended;
  });

  it('answers a resourceVersion older than the history with an ERROR event carrying 410 Expired, then ends', async () => {
    for (let i = 0; i < 25; i++) await call('POST', '/api/v1/namespaces/default/configmaps', cm(`churn-${i}`));
    const watch = await openWatch(`${server.url}/api/v1/configmaps?watch=true&resourceVersion=2`);
    expect(await watch.next()).toMatchObject({ type: 'ERROR', object: { kind: 'Status', reason: 'Expired', code: 410 } });
    await watch.ended;
  });

  it('sends Table rows to clients that ask for them, and refuses malformed parameters before streaming', async () => {
    const watch = await openWatch(`${server.url}/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dexisting`, 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json');
    expect(await watch.next()).toMatchObject({ type: 'ADDED', object: { kind: 'Table', rows: [{ cells: ['existing', expect.any(String)] }] } });
    watch.close();
    for (const query of ['resourceVersion=abc', 'timeoutSeconds=-1', 'labelSelector=a%20in%20(', 'fieldSelector=nope']) {
      const response = await fetch(`${server.url}/api/v1/configmaps?watch=true&${query}`);
      expect([query, response.status]).toEqual([query, 400]);
      await response.body?.cancel();
    }
  });
});

const kubectl = findKubectl();

describe.skipIf(kubectl === undefined)(`kubectl get -w against the simulator${kubectl === undefined ? ' (skipped: kubectl is not on PATH)' : ''}`, () => {
  const temp = makeTempDir('kube-sim-watch');
  const clock = new ManualClock();
  let server: KubeApiServer;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    server = await startKubeApiServer({ clock, controllers: { readyAfterMs: 10_000 } });
  });
  afterAll(async () => {
    child?.kill();
    await server.close();
    temp.remove();
  });

  it('prints each change to a Deployment as it happens', async () => {
    const kube = server.cluster('default');
    await kube.apply(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
      },
      { fieldManager: 'test' },
    );
    await server.controllers('default')?.settled();
    child = spawn(kubectl as string, [`--server=${server.url}`, `--cache-dir=${join(temp.dir, 'cache')}`, 'get', 'deploy', '-w', '--output-watch-events', '--request-timeout=20s'], {
      env: kubectlEnv(temp.dir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = child.stdout;
    if (stdout === null) throw new Error('kubectl has no stdout');
    try {
      const lines = createInterface({ input: stdout })[Symbol.asyncIterator]();
      const next = async (): Promise<string> => {
        const line = await lines.next();
        if (line.done === true) throw new Error('kubectl stopped printing');
        return line.value;
      };
      expect(await next()).toMatch(/^EVENT\s+NAME\s+AGE$/);
      expect(await next()).toMatch(/^ADDED\s+web\s/);
      // Another client scales it over HTTP; the controller's status writes follow.
      const scaled = await fetch(`${server.url}/apis/apps/v1/namespaces/default/deployments/web/scale`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ spec: { replicas: 3 } }),
      });
      expect(scaled.status).toBe(200);
      expect(await next()).toMatch(/^MODIFIED\s+web\s/);
      clock.advance(10_000);
      expect(await next()).toMatch(/^MODIFIED\s+web\s/);
    } finally {
      child.kill();
      child = undefined;
    }
  });
});
