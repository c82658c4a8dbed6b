import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../agent/src/core/kube-object.js';
import { formatPath } from './field-path.js';
import { describeConflicts, planApply, planUpdate } from './server-side-apply.js';
import type { ApplyOutcome } from './server-side-apply.js';

const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:01:00Z';

const deploy = (spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', ...(labels ? { labels } : {}) },
  spec,
});

function applied(outcome: ApplyOutcome): KubeObject {
  if (!outcome.ok) throw new Error(describeConflicts(outcome.conflicts));
  return outcome.object;
}

const apply = (live: KubeObject | undefined, config: KubeObject, manager = 'agent', force = false): ApplyOutcome =>
  planApply({ live, config, manager, force, keyedLists: true, time: T1 });

describe('planApply', () => {
  it('creates with the manager owning exactly its fields', () => {
    const object = applied(apply(undefined, deploy({ replicas: 1 }, { app: 'web' })));
    expect(object.metadata.managedFields).toEqual([
      {
        manager: 'agent',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: T1,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } },
      },
    ]);
  });

  it('removes fields the manager stopped setting, but keeps fields someone else owns', () => {
    const first = applied(apply(undefined, deploy({ replicas: 1, paused: true, minReadySeconds: 5 })));
    const shared = applied(apply(first, deploy({ minReadySeconds: 5 }), 'other'));
    const next = applied(apply(shared, deploy({ replicas: 1 })));
    expect(next['spec']).toEqual({ replicas: 1, minReadySeconds: 5 });
  });

  it('removes an item of a keyed list the manager no longer sets', () => {
    const containers = [{ name: 'web', image: 'a' }, { name: 'side', image: 'b' }];
    const first = applied(apply(undefined, deploy({ template: { spec: { containers } } })));
    const next = applied(apply(first, deploy({ template: { spec: { containers: [{ name: 'web', image: 'a' }] } } })));
    expect(next['spec']).toEqual({ template: { spec: { containers: [{ name: 'web', image: 'a' }] } } });
  });

  it('merges keyed list items of different managers', () => {
    const first = applied(apply(undefined, deploy({ template: { spec: { containers: [{ name: 'web', image: 'a' }] } } })));
    const next = applied(apply(first, deploy({ template: { spec: { containers: [{ name: 'side', image: 'b' }] } } }), 'injector'));
    expect(next['spec']).toEqual({ template: { spec: { containers: [{ name: 'web', image: 'a' }, { name: 'side', image: 'b' }] } } });
  });

  it('treats null in the configuration as not set', () => {
    const template = { metadata: { creationTimestamp: null, labels: { app: 'web' } } };
    const first = applied(apply(undefined, deploy({ replicas: 1, paused: true })));
    const next = applied(apply(first, deploy({ replicas: 1, paused: null, template })));
    expect(next['spec']).toEqual({ replicas: 1, template: { metadata: { labels: { app: 'web' } } } });
  });

  it('conflicts on a field another manager owns with a different value', () => {
    const first = applied(apply(undefined, deploy({ replicas: 1 }), 'kubectl-client-side-apply'));
    const outcome = apply(first, deploy({ replicas: 3 }));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.conflicts.map((c) => [c.manager, formatPath(c.path)])).toEqual([['kubectl-client-side-apply', '.spec.replicas']]);
    expect(describeConflicts(outcome.conflicts)).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    );
  });

  it('shares a field set to the same value without conflict', () => {
    const first = applied(apply(undefined, deploy({ replicas: 1 }), 'a'));
    const next = applied(apply(first, deploy({ replicas: 1 }), 'b'));
    expect(next.metadata.managedFields?.map((e) => e.manager)).toEqual(['a', 'b']);
  });

  it('transfers ownership when forced, dropping a manager left with nothing', () => {
    const first = applied(apply(undefined, deploy({ replicas: 1 }), 'a'));
    const next = applied(apply(first, deploy({ replicas: 3 }), 'b', true));
    expect(next['spec']).toEqual({ replicas: 3 });
    expect(next.metadata.managedFields?.map((e) => e.manager)).toEqual(['b']);
  });

  it('keeps the entry time when the manager applies the same fields again', () => {
    const first = planApply({ live: undefined, config: deploy({ replicas: 1 }), manager: 'a', force: false, keyedLists: true, time: T0 });
    const again = applied(apply(applied(first), deploy({ replicas: 2 }), 'a'));
    expect(again.metadata.managedFields?.[0]?.time).toBe(T0);
  });

  it('lists several conflicts per manager', () => {
    const first = applied(apply(undefined, deploy({ replicas: 1, paused: false }), 'm'));
    const outcome = apply(first, deploy({ replicas: 2, paused: true }));
    expect(outcome.ok ? '' : describeConflicts(outcome.conflicts)).toBe(
      'Apply failed with 2 conflicts: conflicts with "m" using apps/v1:\n- .spec.replicas\n- .spec.paused',
    );
  });
});

describe('planUpdate', () => {
  it('gives the updater the fields it changed and takes them from the previous owner', () => {
    const first = applied(apply(undefined, deploy({ replicas: 1, paused: false })));
    const scaled = planUpdate({ live: first, next: { ...first, spec: { replicas: 5, paused: false } }, manager: 'kubectl-scale', keyedLists: true, time: T1 });
    expect(scaled.metadata.managedFields?.map((e) => [e.manager, e.operation, e.fieldsV1])).toEqual([
      ['agent', 'Apply', { 'f:spec': { 'f:paused': {} } }],
      ['kubectl-scale', 'Update', { 'f:spec': { 'f:replicas': {} } }],
    ]);
    const outcome = apply(scaled, deploy({ replicas: 1, paused: false }));
    expect(outcome.ok).toBe(false);
  });

  it('owns every field on create', () => {
    const created = planUpdate({ live: undefined, next: deploy({ replicas: 1 }), manager: 'kubectl-create', keyedLists: true, time: T1 });
    expect(created.metadata.managedFields?.[0]?.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
  });
});
