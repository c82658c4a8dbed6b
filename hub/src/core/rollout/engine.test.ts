/** The rollout engine, transition by transition, in virtual time. */
import { describe, expect, it } from 'vitest';
import { assignWaves } from './assign.js';
import { act, createRollout, supersede, tick, withDirectiveSeqs } from './engine.js';
import { observe } from './observe.js';
import type { FleetMember, Rollout, Step } from './model.js';
import { RolloutPlanInput } from './plan.js';
import type { RolloutPlan } from './plan.js';

const OLD = 'a'.repeat(40);
const NEW = 'b'.repeat(40);
const MIN = 60_000;

const member = (id: string, fields: Partial<FleetMember> = {}): FleetMember => ({
  id, labels: {}, online: true, appliedRevision: OLD, desiredRevision: OLD, health: 'Healthy', stalled: false, message: '', directiveSeq: null, ...fields,
});

/** A fleet whose agents the test moves by hand, and a shell that numbers directives. */
class World {
  fleet = new Map<string, FleetMember>();
  seq = 100;
  now = 0;
  rollout!: Rollout;
  directives: Step['directives'] = [];
  audit: Step['audit'] = [];

  constructor(ids: string[], labels: (id: string) => Record<string, string> = () => ({})) {
    for (const id of ids) this.fleet.set(id, member(id, { labels: labels(id) }));
  }

  apply(step: Step): Rollout {
    const seqs = new Map(step.directives.map((d) => [d.clusterId, ++this.seq]));
    // The agent hears the directive; it reports once it acts.
    this.rollout = withDirectiveSeqs(step.rollout, seqs);
    this.directives.push(...step.directives);
    this.audit.push(...step.audit);
    return this.rollout;
  }

  create(plan: RolloutPlan): Rollout {
    const { waves } = assignWaves(plan, [...this.fleet.values()]);
    return this.apply(createRollout({ id: 'r1', plan, revision: NEW, waves, fleet: this.fleet, now: this.now }));
  }

  tick(advanceMs = 0): Rollout {
    this.now += advanceMs;
    return this.apply(tick(this.rollout, this.fleet, this.now));
  }

  act(action: Parameters<typeof act>[1]): Rollout {
    return this.apply(act(this.rollout, action, this.fleet, this.now, 'alice'));
  }

  /** The agent of `id` took its latest directive and reports `fields`. */
  report(id: string, fields: Partial<FleetMember>): void {
    const progress = this.rollout.clusters.get(id)!;
    const revision = this.rollout.status === 'rollingBack' ? progress.previousRevision : NEW;
    this.fleet.set(id, { ...this.fleet.get(id)!, appliedRevision: revision, desiredRevision: revision, directiveSeq: progress.directiveSeq, health: 'Healthy', stalled: false, ...fields });
  }

  phases(): Record<string, string> {
    return Object.fromEntries([...this.rollout.clusters].map(([id, p]) => [id, p.phase]));
  }

  directed(wave?: string): string[] {
    return this.directives.filter((d) => wave === undefined || d.wave === wave).map((d) => d.clusterId);
  }
}

const plan = (input: Partial<RolloutPlanInput> = {}): RolloutPlan =>
  RolloutPlanInput.parse({ revision: 'main', waves: [{ name: 'one' }], progressDeadline: '10m', ...input });

const twoWaves = (extra: Record<string, unknown> = {}) =>
  plan({ waves: [{ name: 'canary', selector: 'ring=canary', bake: '5m', ...extra }, { name: 'rest', percent: 100 }] });
const ringed = (id: string) => ({ ring: id.startsWith('c') ? 'canary' : 'main' });

describe('creating a rollout', () => {
  it('directs the first wave only, remembering what each cluster ran', () => {
    const world = new World(['c1', 'c2', 's1', 's2', 's3'], ringed);
    const rollout = world.create(twoWaves());
    expect(rollout.status).toBe('running');
    expect(world.directed().sort()).toEqual(['c1', 'c2']);
    expect(world.phases()).toEqual({ c1: 'directed', c2: 'directed', s1: 'pending', s2: 'pending', s3: 'pending' });
    expect(rollout.clusters.get('c1')).toMatchObject({ previousRevision: OLD, directiveSeq: expect.any(Number), directedAt: 0 });
    expect(world.audit.map((a) => a.action)).toEqual(['created', 'cluster:directed', 'cluster:directed', 'wave-started']);
  });

  it('marks every cluster changed, pending ones too, so that the shell persists the whole rollout', () => {
    const fleet = new World(['c1', 's1', 's2'], ringed).fleet;
    const step = createRollout({ id: 'r1', plan: twoWaves(), revision: NEW, waves: [['c1'], ['s1', 's2']], fleet, now: 0 });
    expect(step.changed.sort()).toEqual(['c1', 's1', 's2']);
  });

  it('refuses a plan that matches no cluster', () => {
    const world = new World(['s1']);
    expect(() => world.create(plan({ selector: 'region=mars' }))).toThrow(/matches no registered cluster/);
  });

  it('waits for approval when the first wave asks for it', () => {
    const world = new World(['s1']);
    world.create(plan({ waves: [{ name: 'one', requireApproval: true }] }));
    expect(world.rollout).toMatchObject({ status: 'awaitingApproval', reason: 'wave one waits for approval' });
    expect(world.directed()).toEqual([]);
    world.act('approve');
    expect(world.directed()).toEqual(['s1']);
  });
});

describe('a cluster in a wave', () => {
  const p = plan({ offlinePolicy: 'wait' });
  const directed = { wave: 0, phase: 'directed' as const, previousRevision: OLD, directiveSeq: 7, directedAt: 0, healthySince: null, reason: null };
  const heard = { directiveSeq: 7 };

  it.each<[string, Partial<FleetMember>, number, string, string | null]>([
    ['not heard yet', { directiveSeq: 6 }, 1 * MIN, 'directed', null],
    ['took it, still progressing', { ...heard, appliedRevision: NEW, health: 'Progressing' }, 1 * MIN, 'applied', null],
    ['healthy on the new revision', { ...heard, appliedRevision: NEW, health: 'Healthy' }, 1 * MIN, 'healthy', null],
    ['healthy but still on the old revision', { ...heard, appliedRevision: OLD, health: 'Healthy' }, 1 * MIN, 'directed', null],
    ['stalled on the new revision', { ...heard, desiredRevision: NEW, stalled: true, message: 'render failed' }, 1 * MIN, 'failed', 'render failed'],
    ['degraded on the new revision', { ...heard, appliedRevision: NEW, health: 'Degraded', message: 'image pull' }, 1 * MIN, 'failed', 'image pull'],
    ['offline', { online: false }, 1 * MIN, 'offline', null],
    ['past the deadline, not healthy', { ...heard, appliedRevision: NEW, health: 'Progressing', message: '1/3 ready' }, 11 * MIN, 'timedOut', 'not healthy 10m after it was directed: 1/3 ready'],
    ['past the deadline, healthy', { ...heard, appliedRevision: NEW, health: 'Healthy' }, 11 * MIN, 'healthy', null],
    ['past the deadline, offline, policy wait', { online: false }, 11 * MIN, 'offline', null],
  ])('%s → %s', (_name, fields, now, phase, reason) => {
    expect(observe(directed, member('x', fields), NEW, p, now)).toMatchObject({ phase, reason });
  });

  it('back online past the deadline under offlinePolicy wait, it gets a new deadline instead of timing out', () => {
    const away = observe(directed, member('x', { online: false }), NEW, p, 11 * MIN);
    const back = observe(away, member('x', { directiveSeq: 6 }), NEW, p, 12 * MIN);
    expect(back).toMatchObject({ phase: 'directed', directedAt: 12 * MIN, reason: null });
    expect(observe(back, member('x', { ...heard, appliedRevision: NEW, health: 'Progressing' }), NEW, p, 21 * MIN)).toMatchObject({ phase: 'applied' });
    expect(observe(back, member('x', { ...heard, appliedRevision: NEW, health: 'Progressing' }), NEW, p, 23 * MIN)).toMatchObject({ phase: 'timedOut' });
  });

  it('offline past the deadline is skipped under offlinePolicy skip', () => {
    expect(observe(directed, member('x', { online: false }), NEW, plan({ offlinePolicy: 'skip' }), 11 * MIN)).toMatchObject({ phase: 'skipped', reason: 'offline past the progress deadline (10m)' });
  });

  it('keeps the time it became healthy, and loses it when it is no longer healthy', () => {
    const healthy = observe(directed, member('x', { ...heard, appliedRevision: NEW }), NEW, p, 2 * MIN);
    expect(healthy.healthySince).toBe(2 * MIN);
    expect(observe(healthy, member('x', { ...heard, appliedRevision: NEW }), NEW, p, 3 * MIN)).toBe(healthy);
    expect(observe(healthy, member('x', { ...heard, appliedRevision: NEW, health: 'Progressing' }), NEW, p, 3 * MIN)).toMatchObject({ phase: 'applied', healthySince: null });
  });
});

describe('waves', () => {
  it('pass once every cluster has stayed healthy for the bake time, then the next wave starts', () => {
    const world = new World(['c1', 's1', 's2'], ringed);
    world.create(twoWaves());
    world.report('c1', {});
    world.tick(1 * MIN);
    expect(world.phases()['c1']).toBe('healthy');
    world.tick(4 * MIN); // healthy for 4 of the 5 minutes
    expect(world.directed('rest')).toEqual([]);
    world.tick(1 * MIN);
    expect(world.directed('rest').sort()).toEqual(['s1', 's2']);
    expect(world.rollout).toMatchObject({ status: 'running', wave: 1 });
    world.report('s1', {});
    world.report('s2', {});
    world.tick(1 * MIN);
    expect(world.rollout.status).toBe('succeeded');
    expect(world.audit.map((a) => a.action).filter((a) => !a.startsWith('cluster:'))).toEqual(['created', 'wave-started', 'wave-done', 'wave-started', 'wave-done', 'succeeded']);
  });

  it('restart the bake when a cluster stops being healthy', () => {
    const world = new World(['c1', 's1'], ringed);
    world.create(twoWaves());
    world.report('c1', {});
    world.tick(1 * MIN);
    world.report('c1', { health: 'Progressing' });
    world.tick(3 * MIN);
    world.report('c1', {});
    world.tick(3 * MIN);
    expect(world.directed('rest')).toEqual([]);
    world.tick(5 * MIN);
    expect(world.directed('rest')).toEqual(['s1']);
  });

  it('wait for approval before a wave that asks for it; pausing and resuming keeps it waiting', () => {
    const world = new World(['c1', 's1'], ringed);
    world.create(plan({ waves: [{ name: 'canary', selector: 'ring=canary' }, { name: 'rest', requireApproval: true }] }));
    world.report('c1', {});
    world.tick(1 * MIN);
    expect(world.rollout).toMatchObject({ status: 'awaitingApproval', wave: 1 });
    world.act('pause');
    world.act('resume');
    expect(world.rollout).toMatchObject({ status: 'awaitingApproval', wave: 1 });
    expect(world.directed('rest')).toEqual([]);
    world.act('approve');
    expect(world.directed('rest')).toEqual(['s1']);
    expect(world.audit.find((a) => a.action === 'operator:approve')?.message).toBe('wave rest approved by alice');
  });

  it('count failures within maxFailures as done, and go on', () => {
    const world = new World(['s1', 's2', 's3', 's4'], () => ({}));
    world.create(plan({ waves: [{ name: 'all', maxFailures: '25%' }] }));
    for (const id of ['s1', 's2', 's3']) world.report(id, {});
    world.report('s4', { health: 'Failed', message: 'crash loop' });
    world.tick(1 * MIN);
    expect(world.rollout.status).toBe('succeeded');
    expect(world.phases()['s4']).toBe('failed');
  });

  it.each([
    ['pause', 'paused'],
    ['abort', 'aborted'],
    ['rollback', 'rollingBack'],
  ] as const)('beyond maxFailures apply onFailure %s', (onFailure, status) => {
    const world = new World(['c1', 'c2', 's1'], ringed);
    world.create(plan({ onFailure, waves: [{ name: 'canary', selector: 'ring=canary', maxFailures: 0 }, { name: 'rest' }] }));
    world.report('c1', {});
    world.report('c2', { stalled: true, desiredRevision: NEW, appliedRevision: OLD, message: 'RenderFailed: fleet.yaml:3' });
    world.tick(1 * MIN);
    expect(world.rollout.status).toBe(status);
    expect(world.rollout.reason).toContain('wave canary: 1 of 2 clusters failed, more than the 0 allowed: c2 (RenderFailed: fleet.yaml:3)');
    expect(world.directed('rest')).toEqual([]);
  });

  it('time out clusters that do not become healthy by the progress deadline', () => {
    const world = new World(['s1'], () => ({}));
    world.create(plan({ onFailure: 'abort' }));
    world.report('s1', { health: 'Progressing' });
    world.tick(11 * MIN);
    expect(world.phases()['s1']).toBe('timedOut');
    expect(world.rollout.status).toBe('aborted');
  });

  it('wait for offline clusters under offlinePolicy wait, and skip them past the deadline under skip', () => {
    for (const [policy, status] of [['wait', 'running'], ['skip', 'succeeded']] as const) {
      const world = new World(['s1', 's2'], () => ({}));
      world.fleet.set('s2', member('s2', { online: false }));
      world.create(plan({ offlinePolicy: policy }));
      world.report('s1', {});
      world.tick(11 * MIN);
      expect(world.rollout.status).toBe(status);
      expect(world.phases()['s2']).toBe(policy === 'wait' ? 'offline' : 'skipped');
    }
  });
});

describe('rollback', () => {
  it('directs every moved cluster back to its previous revision, and is done when they are there', () => {
    const world = new World(['c1', 'c2', 'new', 's1'], ringed);
    world.fleet.set('new', member('new', { labels: { ring: 'canary' }, appliedRevision: null, desiredRevision: null }));
    world.create(plan({ onFailure: 'rollback', waves: [{ name: 'canary', selector: 'ring=canary', maxFailures: 0 }, { name: 'rest' }] }));
    world.report('c1', {});
    world.report('c2', { health: 'Failed', message: 'crash loop' });
    world.tick(1 * MIN);
    expect(world.rollout.status).toBe('rollingBack');
    expect(world.directives.filter((d) => d.wave === 'rollback')).toEqual([
      { clusterId: 'c1', revision: OLD, wave: 'rollback' },
      { clusterId: 'c2', revision: OLD, wave: 'rollback' },
    ]);
    expect(world.rollout.clusters.get('new')).toMatchObject({ phase: 'skipped', reason: 'nothing to roll back to: it ran no revision before this rollout' });
    expect(world.phases()['s1']).toBe('pending');
    world.report('c1', {});
    world.tick(1 * MIN);
    expect(world.rollout.status).toBe('rollingBack');
    world.report('c2', {});
    world.tick(1 * MIN);
    expect(world.rollout.status).toBe('rolledBack');
    expect(world.phases()).toMatchObject({ c1: 'rolledBack', c2: 'rolledBack', s1: 'pending' });
  });

  it('can be asked for by an operator after success', () => {
    const world = new World(['s1'], () => ({}));
    world.create(plan());
    world.report('s1', {});
    world.tick(1 * MIN);
    expect(world.rollout.status).toBe('succeeded');
    world.act('rollback');
    expect(world.rollout).toMatchObject({ status: 'rollingBack', reason: 'rolled back by alice' });
    expect(world.directives.at(-1)).toEqual({ clusterId: 's1', revision: OLD, wave: 'rollback' });
  });
});

describe('operator actions', () => {
  it.each([
    ['resume', 'running'],
    ['approve', 'running'],
    ['pause', 'succeeded'],
    ['abort', 'succeeded'],
  ] as const)('refuses %s when the rollout is %s', (action, status) => {
    const world = new World(['s1']);
    world.create(plan());
    if (status === 'succeeded') {
      world.report('s1', {});
      world.tick(1 * MIN);
    }
    expect(() => world.act(action)).toThrow(`cannot ${action} rollout r1: it is ${status}`);
  });

  it('pause holds the next wave; resume accepts the failures seen and goes on', () => {
    const world = new World(['s1', 's2', 't1'], (id) => ({ ring: id[0]! }));
    world.create(plan({ waves: [{ name: 'first', selector: 'ring=s' }, { name: 'second' }] }));
    world.report('s1', {});
    world.report('s2', { health: 'Failed', message: 'boom' });
    world.tick(1 * MIN);
    expect(world.rollout.status).toBe('paused');
    world.act('resume');
    expect(world.rollout).toMatchObject({ status: 'running', acknowledged: ['s2'], wave: 1 });
    expect(world.directed('second')).toEqual(['t1']);
  });

  it('abort stops directing and leaves clusters as they are', () => {
    const world = new World(['c1', 's1'], ringed);
    world.create(twoWaves());
    world.act('abort');
    world.report('c1', {});
    world.tick(10 * MIN);
    expect(world.rollout.status).toBe('aborted');
    expect(world.directed()).toEqual(['c1']);
  });
});

describe('supersede', () => {
  it('hands shared clusters to the newer rollout, and ends one left with none', () => {
    const world = new World(['s1', 's2']);
    world.create(plan());
    const partly = supersede(world.rollout, ['s1'], 'r2', 5);
    expect(partly.rollout.clusters.get('s1')).toMatchObject({ phase: 'superseded', reason: 'taken over by rollout r2' });
    expect(partly.rollout.status).toBe('running');
    const fully = supersede(partly.rollout, ['s2'], 'r2', 6);
    expect(fully.rollout).toMatchObject({ status: 'superseded', reason: 'every cluster taken over by rollout r2' });
  });
});

describe('ticking', () => {
  it('changes nothing, and returns the same rollout, when nothing happened', () => {
    const world = new World(['s1']);
    world.create(plan());
    const step = tick(world.rollout, world.fleet, 1);
    expect(step).toMatchObject({ directives: [], audit: [], changed: [] });
    expect(step.rollout).toBe(world.rollout);
  });
});
