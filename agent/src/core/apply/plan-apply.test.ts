import { describe, expect, it } from 'vitest';
import { OWNER_LABEL, planApply } from './plan-apply.js';
import type { KubeObject } from '../kube-object.js';

const obj = (kind: string, name: string, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, ...(labels ? { labels } : {}) },
});

describe('planApply', () => {
  it('puts Namespaces, then CRDs, first and keeps the rendered order otherwise', () => {
    const plan = planApply([obj('Deployment', 'd'), obj('CustomResourceDefinition', 'c'), obj('ConfigMap', 'm'), obj('Namespace', 'n')]);
    expect(plan.map((o) => o.kind)).toEqual(['Namespace', 'CustomResourceDefinition', 'Deployment', 'ConfigMap']);
  });

  it('stamps the ownership label without dropping labels or mutating its input', () => {
    const input = obj('ConfigMap', 'm', { app: 'web' });
    const [planned] = planApply([input]);
    expect(planned?.metadata.labels).toEqual({ app: 'web', [OWNER_LABEL]: 'edge-agent' });
    expect(input.metadata.labels).toEqual({ app: 'web' });
  });
});
