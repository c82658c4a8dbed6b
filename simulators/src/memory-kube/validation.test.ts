import { describe, expect, it } from 'vitest';
import { ResourceCatalogue } from './catalogue.js';
import { validateEnvelope, validateObject } from './validation.js';

const catalogue = new ResourceCatalogue();
const typeOf = (apiVersion: string, kind: string) => {
  const type = catalogue.byKind(apiVersion, kind);
  if (type === undefined) throw new Error(`${kind} is not in the catalogue`);
  return type;
};
const fields = (apiVersion: string, kind: string, metadata: Record<string, unknown>): (string | undefined)[] =>
  validateObject({ apiVersion, kind, metadata }, typeOf(apiVersion, kind)).map((c) => c.field);

describe('validateEnvelope', () => {
  it('requires apiVersion, kind and metadata.name', () => {
    expect(validateEnvelope({ metadata: {} }).map((c) => c.field)).toEqual(['apiVersion', 'kind', 'metadata.name']);
    expect(validateEnvelope({ apiVersion: 'v1', kind: 'ConfigMap' }).map((c) => c.field)).toEqual(['metadata']);
    expect(validateEnvelope([])).toHaveLength(1);
  });
});

describe('validateObject', () => {
  it('checks names by the rule of their kind', () => {
    expect(fields('v1', 'ConfigMap', { name: 'app.config-1' })).toEqual([]);
    expect(fields('v1', 'Service', { name: 'app.config' })).toEqual(['metadata.name']);
    expect(fields('rbac.authorization.k8s.io/v1', 'ClusterRole', { name: 'system:edge-reader' })).toEqual([]);
    expect(fields('rbac.authorization.k8s.io/v1', 'ClusterRole', { name: 'a/b' })).toEqual(['metadata.name']);
    expect(fields('v1', 'ConfigMap', { name: 'x'.repeat(254) })).toEqual(['metadata.name']);
  });

  it('refuses a namespace on a cluster-scoped kind and checks namespaced ones', () => {
    expect(fields('v1', 'Namespace', { name: 'shop', namespace: 'default' })).toEqual(['metadata.namespace']);
    expect(fields('v1', 'ConfigMap', { name: 'a', namespace: 'Shop' })).toEqual(['metadata.namespace']);
  });

  it('checks label keys and values, and annotation keys', () => {
    expect(fields('v1', 'ConfigMap', { name: 'a', labels: { 'app.kubernetes.io/name': 'web', bad: 'no spaces' } })).toEqual(['metadata.labels.bad']);
    expect(fields('v1', 'ConfigMap', { name: 'a', annotations: { 'note/x': 'any text at all', 'bad key': 'v' } })).toEqual(['metadata.annotations']);
    expect(fields('v1', 'ConfigMap', { name: 'a', labels: { n: 1 } })).toEqual(['metadata.labels.n']);
  });
});
