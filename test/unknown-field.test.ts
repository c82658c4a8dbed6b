/**
 * Why HttpKube sends raw requests: client-node's `KubernetesObjectApi` runs built-in kinds through
 * its typed models, which silently drop fields the models do not know — on the way in (apply)
 * and on the way out (read). Fields from a newer Kubernetes than the library, or a typo the
 * server would reject, would vanish without a trace. HttpKube keeps them both ways.
 */
import { KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpKubeFromUrl } from '../agent/src/adapters/kube/http-kube.js';
import type { HttpKube } from '../agent/src/adapters/kube/http-kube.js';
import type { KubeObject } from '../agent/src/core/kube-object.js';
import { startKubeApiServer } from '../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../simulators/src/kube-api/server.js';

const deployment = (name: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas: 1,
    futureSpecField: 'kept?',
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { futureField: 'x', containers: [{ name: 'web', image: 'nginx:1.27' }] },
    },
  },
});

type Spec = { futureSpecField?: unknown; template: { spec: { futureField?: unknown; containers: unknown[] } } };
const specOf = (object: KubeObject | KubernetesObject | undefined): Spec => (object as unknown as { spec: Spec }).spec;

describe('unknown fields of built-in kinds', () => {
  let server: KubeApiServer;
  let typed: KubernetesObjectApi;
  let raw: HttpKube;

  beforeAll(async () => {
    server = await startKubeApiServer();
    const config = new KubeConfig();
    config.loadFromClusterAndUser({ name: 'sim', server: server.url, skipTLSVerify: true }, { name: 'anonymous' });
    typed = KubernetesObjectApi.makeApiClient(config);
    raw = httpKubeFromUrl(server.url);
  });

  afterAll(async () => {
    raw.close();
    await server.close();
  });

  const stored = (name: string) => server.cluster('default').get({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: 'default' });

  it("are dropped by client-node's KubernetesObjectApi on apply", async () => {
    await typed.patch(deployment('typed') as unknown as KubernetesObject, undefined, undefined, 'edge-agent', true, PatchStrategy.ServerSideApply);
    const spec = specOf(await stored('typed'));
    expect(spec.template.spec.containers).toHaveLength(1);
    expect(spec.futureSpecField).toBeUndefined();
    expect(spec.template.spec.futureField).toBeUndefined();
  });

  it('are kept by HttpKube on apply', async () => {
    await raw.apply(deployment('raw'), { fieldManager: 'edge-agent' });
    const spec = specOf(await stored('raw'));
    expect(spec.futureSpecField).toBe('kept?');
    expect(spec.template.spec.futureField).toBe('x');
  });

  it("are dropped by client-node's KubernetesObjectApi on read, and kept by HttpKube", async () => {
    await server.cluster('default').apply(deployment('stored'), { fieldManager: 'edge-agent' });
    const header = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'stored', namespace: 'default' } };
    expect(specOf(await typed.read(header)).template.spec.futureField).toBeUndefined();
    const read = await raw.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'stored', namespace: 'default' });
    expect(specOf(read).template.spec.futureField).toBe('x');
  });
});
