/**
 * Real kubectl against the simulated Kubernetes API: the simulator is only worth something if
 * the reference client accepts it. kubectl runs with an empty KUBECONFIG, its own HOME and cache
 * directory, so no configuration of the person running the tests takes part.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { httpKubeFromUrl } from '../agent/src/adapters/kube/http-kube.js';
import type { HttpKube } from '../agent/src/adapters/kube/http-kube.js';
import type { KubeObject } from '../agent/src/core/kube-object.js';
import { startKubeApiServer } from '../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../simulators/src/kube-api/server.js';
import { findOnPath } from './support/on-path.js';
import { makeTempDir } from './support/temp-dir.js';

const run = promisify(execFile);

const kubectl = findOnPath('kubectl');

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
`;

const webRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' };

describe.skipIf(kubectl === undefined)(
  `kubectl against the simulated Kubernetes API${kubectl === undefined ? ' (skipped: kubectl is not on PATH)' : ''}`,
  () => {
    const temp = makeTempDir('kubectl');
    let server: KubeApiServer;
    let kube: HttpKube;

    const k = async (...args: string[]): Promise<string> => {
      const { stdout } = await run(kubectl as string, [`--server=${server.url}`, `--cache-dir=${join(temp.dir, 'cache')}`, ...args], {
        env: { PATH: process.env['PATH'] ?? '', HOME: temp.dir, KUBECONFIG: join(temp.dir, 'none') },
        timeout: 20_000,
      });
      return stdout;
    };

    beforeAll(async () => {
      server = await startKubeApiServer();
      kube = httpKubeFromUrl(server.url);
      writeFileSync(join(temp.dir, 'web.yaml'), MANIFEST);
    });

    afterAll(async () => {
      kube?.close();
      await server?.close();
      temp.remove();
    });

    it('creates objects with apply --server-side, shown by get -o yaml', async () => {
      const applied = await k('apply', '--server-side', '--validate=false', '-f', join(temp.dir, 'web.yaml'));
      expect(applied).toContain('namespace/shop serverside-applied');
      expect(applied).toContain('deployment.apps/web serverside-applied');

      const list = parseYaml(await k('get', 'deploy', '-A', '-o', 'yaml', '--show-managed-fields')) as { items: KubeObject[] };
      expect(list.items).toHaveLength(1);
      const [web] = list.items;
      expect(web?.metadata).toMatchObject({ name: 'web', namespace: 'shop', labels: { app: 'web' }, generation: 1 });
      expect(web?.['spec']).toMatchObject({ replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } });
      // The simulated controller's status write is recorded too, as on a real cluster.
      expect(web?.metadata.managedFields?.map((e) => [e.manager, e.operation, e.subresource])).toEqual([
        ['kubectl', 'Apply', undefined],
        ['kube-controller-manager', 'Update', 'status'],
      ]);
    });

    it('scales through the scale subresource, after which re-applying the old replicas conflicts', async () => {
      expect(await k('scale', 'deploy/web', '--replicas=5', '-n', 'shop')).toContain('deployment.apps/web scaled');
      const scaled = await kube.get(webRef);
      expect(scaled?.['spec']).toMatchObject({ replicas: 5 });
      expect(scaled?.metadata.generation).toBe(2);

      // Re-applying the manifest, which still says 2 replicas, now conflicts with the scale.
      const reapply = await k('apply', '--server-side', '--validate=false', '-f', join(temp.dir, 'web.yaml')).catch((error: unknown) => error);
      expect(String((reapply as { stderr?: unknown }).stderr)).toContain(
        'Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas',
      );
    });

    it('patches with the strategic, merge and JSON patch types', async () => {
      await k('patch', 'deploy', 'web', '-n', 'shop', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}');
      await k('patch', 'deploy', 'web', '-n', 'shop', '--type=merge', '-p', '{"metadata":{"labels":{"patched":"yes"}}}');
      await k('patch', 'deploy', 'web', '-n', 'shop', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]');
      const patched = await kube.get(webRef);
      expect(patched?.metadata.labels).toEqual({ app: 'web', patched: 'yes' });
      // The strategic patch merged the container by name: its port survived.
      expect(patched?.['spec']).toMatchObject({
        replicas: 3,
        template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28', ports: [{ containerPort: 80 }] }] } },
      });
    });

    it('prints namespaces and a single object as tables', async () => {
      const table = await k('get', 'ns');
      expect(table.split('\n')[0]).toMatch(/^NAME\s+AGE$/);
      expect(table).toMatch(/^shop\s+\d+s$/m);
      expect(table).toMatch(/^kube-system\s/m);
      expect(await k('get', 'deploy', 'web', '-n', 'shop')).toMatch(/^NAME\s+AGE\nweb\s+\d+s\n$/);
    });

    it('deletes', async () => {
      expect(await k('delete', 'deploy', 'web', '-n', 'shop')).toContain('deployment.apps "web" deleted');
      expect(await kube.get(webRef)).toBeUndefined();
      expect(await k('get', 'deploy', '-A')).toBe('');
    });
  },
);
