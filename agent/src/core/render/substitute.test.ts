import { describe, expect, it } from 'vitest';
import { substituteVariables } from './substitute.js';
import type { KubeObject } from '../kube-object.js';

const object = (data: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' }, data });
const cluster = { name: 'store-7', labels: { region: 'eu', 'topology.example/zone': 'z1' } };

describe('substituteVariables', () => {
  it('replaces cluster, label and fleet variables in strings, leaving other values alone', () => {
    const result = substituteVariables(
      [object({ a: 'hello ${cluster.name} in ${cluster.labels.region}', b: '${cluster.labels.topology.example/zone}', c: '${tier}', d: 3, e: ['${tier}-x'] })],
      { tier: 'gold' },
      cluster,
    );
    expect(result).toEqual({ ok: true, objects: [object({ a: 'hello store-7 in eu', b: 'z1', c: 'gold', d: 3, e: ['gold-x'] })] });
  });

  it('uses defaults, and keeps escaped references literal', () => {
    const result = substituteVariables([object({ a: '${missing:=fallback}', b: '$${cluster.name}', c: '${cluster.labels.absent:=none}' })], {}, cluster);
    expect(result).toEqual({ ok: true, objects: [object({ a: 'fallback', b: '${cluster.name}', c: 'none' })] });
  });

  it('names an unresolved variable and where it was used', () => {
    const result = substituteVariables([object({ nested: { deep: 'x ${nope}' } })], {}, cluster);
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/ConfigMap\/m\.data\.nested\.deep: variable "nope" is not set for cluster store-7/) });
    expect(substituteVariables([object({ a: '${1bad}' })], {}, cluster)).toMatchObject({ ok: false, error: /not a variable reference/ });
    expect(substituteVariables([object({ list: [1, { deep: '${nope}' }] })], {}, cluster)).toMatchObject({ ok: false, error: /^ConfigMap\/m\.data\.list\[1\]\.deep: / });
  });

  it('shares what holds no reference with its input', () => {
    const plain = object({ a: 'x', nested: { b: [1, 2] } });
    const templated = object({ a: '${cluster.name}', nested: { b: [1, 2] } });
    const result = substituteVariables([plain, templated], {}, cluster);
    if (!result.ok) throw new Error(result.error);
    expect(result.objects[0]).toBe(plain);
    expect(result.objects[1]!['data']).toEqual({ a: 'store-7', nested: { b: [1, 2] } });
    expect((result.objects[1]!['data'] as { nested: unknown }).nested).toBe((templated['data'] as { nested: unknown }).nested);
  });

  it('does not touch its input', () => {
    const input = [object({ a: '${cluster.name}' })];
    substituteVariables(input, {}, cluster);
    expect(input[0]?.['data']).toEqual({ a: '${cluster.name}' });
  });
});
