import { describe, expect, it } from 'vitest';
import { ChangeAction, objectIdentity, summarizeChangeSet } from './change-set.js';
import type { ChangeSetEntry } from './change-set.js';
import type { ObjectRef } from '../kube-object.js';

const ref = (over: Partial<ObjectRef> = {}): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop', ...over });
const entries = (...actions: ChangeAction[]): ChangeSetEntry[] =>
  actions.map((action, i) => ({ ref: ref({ name: `o${i}` }), action }));

describe('objectIdentity', () => {
  it.each([
    { name: 'namespaced, named group', ref: ref(), id: 'apps/Deployment/shop/web' },
    { name: 'core group', ref: ref({ apiVersion: 'v1', kind: 'ConfigMap' }), id: '/ConfigMap/shop/web' },
    { name: 'cluster-scoped', ref: { apiVersion: 'v1', kind: 'Namespace', name: 'shop' }, id: '/Namespace//shop' },
    {
      name: 'dotted group',
      ref: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'x.example.com' },
      id: 'apiextensions.k8s.io/CustomResourceDefinition//x.example.com',
    },
  ])('$name', ({ ref: r, id }) => {
    expect(objectIdentity(r)).toBe(id);
  });

  it('ignores the version, so a version bump is the same object', () => {
    expect(objectIdentity(ref({ apiVersion: 'autoscaling/v2' }))).toBe(objectIdentity(ref({ apiVersion: 'autoscaling/v1' })));
  });

  it('tells apart objects that differ in group, kind, namespace or name', () => {
    const ids = [ref(), ref({ apiVersion: 'extensions.example.com/v1' }), ref({ kind: 'StatefulSet' }), ref({ namespace: 'other' }), ref({ name: 'api' })].map(objectIdentity);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('summarizeChangeSet', () => {
  it.each([
    { name: 'empty', actions: [], text: 'no objects' },
    {
      name: 'mixed, in a fixed action order whatever the entry order',
      actions: [ChangeAction.unchanged, ChangeAction.created, ChangeAction.configured, ChangeAction.unchanged, ChangeAction.created],
      text: '2 created, 1 configured, 2 unchanged',
    },
    {
      name: 'every action',
      actions: Object.values(ChangeAction),
      text: '1 created, 1 configured, 1 unchanged, 1 deleted, 1 skipped, 1 failed',
    },
  ])('$name', ({ actions, text }) => {
    const summary = summarizeChangeSet(entries(...actions));
    expect(summary.text).toBe(text);
    for (const action of Object.values(ChangeAction)) {
      expect(summary[action]).toBe(actions.filter((a) => a === action).length);
    }
  });
});
