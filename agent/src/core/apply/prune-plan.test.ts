import { describe, expect, it } from 'vitest';
import { DEFAULT_PRUNE_POLICY, PRUNE_ANNOTATION, mayDelete, planPrune } from './prune-plan.js';
import type { PrunePolicy } from './prune-plan.js';
import { OWNER_LABEL, OWNER_VALUE } from './plan-apply.js';
import type { KubeObject, ObjectRef } from '../kube-object.js';

const cm = (name: string, namespace = 'shop'): ObjectRef => ({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace });
const deploy = (name: string, apiVersion = 'apps/v1'): ObjectRef => ({ apiVersion, kind: 'Deployment', name, namespace: 'shop' });
const ns = (name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'Namespace', name });
const cms = (count: number, prefix = 'c'): ObjectRef[] => Array.from({ length: count }, (_, i) => cm(`${prefix}${i}`));
const policy = (over: Partial<PrunePolicy> = {}): PrunePolicy => ({ ...DEFAULT_PRUNE_POLICY, ...over });

describe('planPrune', () => {
  it.each([
    { name: 'nothing removed', previous: [ns('shop'), cm('a')], desired: [ns('shop'), cm('a')], prune: [] },
    { name: 'first revision', previous: [], desired: [cm('a')], prune: [] },
    { name: 'nothing before, nothing now', previous: [], desired: [], prune: [] },
    {
      name: 'a version bump is not a delete',
      previous: [deploy('web', 'extensions/v1beta1'), cm('a'), cm('b')],
      desired: [deploy('web', 'extensions/v1'), cm('a'), cm('b')],
      prune: [],
    },
    {
      name: 'a group change is a different object',
      previous: [deploy('web', 'extensions/v1beta1'), cm('a'), cm('b')],
      desired: [deploy('web', 'apps/v1'), cm('a'), cm('b')],
      prune: [deploy('web', 'extensions/v1beta1')],
    },
    {
      name: 'same name in another namespace is another object',
      previous: [cm('a', 'shop'), cm('b'), cm('c')],
      desired: [cm('a', 'other'), cm('b'), cm('c')],
      prune: [cm('a', 'shop')],
    },
    {
      name: 'removed objects in reverse inventory order, Namespace last',
      previous: [ns('old'), cm('x', 'old'), deploy('web'), cm('keep'), cm('y', 'old')],
      desired: [deploy('web'), cm('keep')],
      prune: [cm('y', 'old'), cm('x', 'old'), ns('old')],
      policy: policy({ maxPruneShare: 0.6 }),
    },
    {
      name: 'duplicates in the inventory are pruned once',
      previous: [cm('a'), cm('b'), cm('c'), cm('a')],
      desired: [cm('b'), cm('c')],
      prune: [cm('a')],
    },
    { name: 'allowEmpty removes everything, guard or not', previous: cms(10), desired: [], prune: cms(10).reverse(), policy: policy({ allowEmpty: true }) },
    { name: 'exactly the allowed share passes', previous: cms(10), desired: cms(5), prune: cms(10).slice(5).reverse() },
    { name: 'a single object may always go', previous: [cm('a')], desired: [cm('b')], prune: [cm('a')] },
    { name: 'a share of 1 disables the guard', previous: cms(4), desired: [cm('new')], prune: cms(4).reverse(), policy: policy({ maxPruneShare: 1 }) },
  ])('$name', ({ previous, desired, prune, policy: p }) => {
    expect(planPrune(previous, desired, p ?? DEFAULT_PRUNE_POLICY)).toEqual({ ok: true, prune });
  });

  it('refuses an empty revision unless allowed, and says how to allow it', () => {
    const plan = planPrune(cms(3), [], DEFAULT_PRUNE_POLICY);
    expect(plan).toMatchObject({ ok: false, reason: 'EmptyRevision' });
    expect(plan.ok || plan.message).toMatch(/all 3 objects.*allowEmpty: true/);
  });

  it.each([
    { name: 'more than half by default', previous: cms(10), desired: cms(4), pruned: 6, percent: '60%', allowed: '50%' },
    { name: 'a lower share', previous: cms(10), desired: cms(8), pruned: 2, percent: '20%', allowed: '10%', maxPruneShare: 0.1 },
    { name: 'two of two replaced', previous: cms(2), desired: cms(2, 'n'), pruned: 2, percent: '100%', allowed: '50%' },
    // allowEmpty is consent to an empty tree, not to losing most objects of a non-empty one.
    { name: 'allowEmpty with a non-empty tree', previous: cms(10), desired: cms(1), pruned: 9, percent: '90%', allowed: '50%', allowEmpty: true },
  ])('guard: $name', ({ previous, desired, pruned, percent, allowed, maxPruneShare, allowEmpty }) => {
    const plan = planPrune(previous, desired, policy({ maxPruneShare: maxPruneShare ?? 0.5, allowEmpty: allowEmpty ?? false }));
    expect(plan).toMatchObject({ ok: false, reason: 'PruneGuard' });
    const message = plan.ok ? '' : plan.message;
    expect(message).toContain(`${pruned} of ${previous.length} objects (${percent})`);
    expect(message).toContain(`at most ${allowed}`);
    expect(message).toContain('raise maxPruneShare');
  });
});

const live = (labels: Record<string, string> | undefined, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'a', namespace: 'shop', ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
});
const owned = { [OWNER_LABEL]: OWNER_VALUE, app: 'web' };

describe('mayDelete', () => {
  it.each([
    { name: 'owned', object: live(owned), decision: { delete: true } },
    { name: 'prune annotation with another value', object: live(owned, { [PRUNE_ANNOTATION]: 'enabled' }), decision: { delete: true } },
    { name: 'already gone', object: undefined, decision: { delete: false, reason: 'Gone' } },
    { name: 'no labels', object: live(undefined), decision: { delete: false, reason: 'NotOwned' } },
    { name: 'label removed by hand', object: live({ app: 'web' }), decision: { delete: false, reason: 'NotOwned' } },
    { name: 'another owner', object: live({ [OWNER_LABEL]: 'someone-else' }), decision: { delete: false, reason: 'NotOwned' } },
    { name: 'opted out', object: live(owned, { [PRUNE_ANNOTATION]: 'disabled' }), decision: { delete: false, reason: 'OptedOut' } },
    { name: 'opted out with false', object: live(owned, { [PRUNE_ANNOTATION]: 'false' }), decision: { delete: false, reason: 'OptedOut' } },
    { name: 'opted out, any case', object: live(owned, { [PRUNE_ANNOTATION]: ' Disabled ' }), decision: { delete: false, reason: 'OptedOut' } },
    { name: 'foreign and opted out: ownership decides', object: live({}, { [PRUNE_ANNOTATION]: 'disabled' }), decision: { delete: false, reason: 'NotOwned' } },
  ])('$name', ({ object, decision }) => {
    expect(mayDelete(object)).toMatchObject(decision);
  });

  it('checks against a given owner value', () => {
    expect(mayDelete(live({ [OWNER_LABEL]: 'agent-b' }), 'agent-b')).toEqual({ delete: true });
    expect(mayDelete(live(owned), 'agent-b')).toMatchObject({ delete: false, reason: 'NotOwned' });
  });

  it('names the object and what it found', () => {
    const decision = mayDelete(live({ [OWNER_LABEL]: 'someone-else' }));
    expect(decision.delete || decision.message).toBe(
      `ConfigMap/shop/a (v1) is not labelled ${OWNER_LABEL}=${OWNER_VALUE} (${OWNER_LABEL}=someone-else); left in place`,
    );
  });
});
