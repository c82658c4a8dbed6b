import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube-object.js';
import { COMMON_LABELS, addToMaps } from './metadata-fields.js';

const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
  },
});

describe('addToMaps', () => {
  it('adds labels where kustomize puts them, creating missing maps, without touching its input', () => {
    const input = deployment();
    const [result] = addToMaps([{ object: input, origin: 'k.yaml' }], { env: 'prod' }, COMMON_LABELS);
    expect(input).toStrictEqual(deployment());
    expect(result!.object).toStrictEqual({
      ...deployment(),
      metadata: { name: 'web', labels: { app: 'web', env: 'prod' } },
      spec: {
        selector: { matchLabels: { app: 'web', env: 'prod' } },
        template: { metadata: { labels: { app: 'web', env: 'prod' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
      },
    });
  });

  it('shares what it does not change with its input', () => {
    const input = deployment();
    const [result] = addToMaps([{ object: input, origin: 'k.yaml' }], { env: 'prod' }, COMMON_LABELS);
    const containers = (object: KubeObject) => (object['spec'] as { template: { spec: { containers: unknown } } }).template.spec.containers;
    expect(containers(result!.object)).toBe(containers(input));
  });

  it('creates the labels map of an object that has none', () => {
    const input: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    const [result] = addToMaps([{ object: input, origin: 'k.yaml' }], { env: 'prod' }, COMMON_LABELS);
    expect(result!.object.metadata).toStrictEqual({ name: 'c', labels: { env: 'prod' } });
    expect(input.metadata).toStrictEqual({ name: 'c' });
  });
});
