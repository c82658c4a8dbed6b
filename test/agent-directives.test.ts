/**
 * Directed mode: the agent runs only what a signed hub directive names. Every port in memory,
 * directives published retained on an in-process broker as the hub does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryUplink } from '../agent/src/adapters/uplink/memory-uplink.js';
import { MemoryBroker } from '../shared/src/protocol/memory-broker.js';
import { generateSigningKeyPair, loadSigningKey, loadTrustedKeys, signDirective } from '../shared/src/protocol/signing.js';
import type { UnsignedDirective } from '../shared/src/protocol/protocol.js';
import { topics } from '../shared/src/protocol/topics.js';
import { ManualClock } from '../shared/src/time/clock.js';
import { configMapRef, configMapYaml, memoryAgent } from './support/memory-agent.js';

const REPO = 'https://git.example/fleet.git';
const hubKey = generateSigningKeyPair();
const otherKey = generateSigningKeyPair();
const signer = loadSigningKey(hubKey.privateKeyPem);
const START = Date.parse('2026-11-22T10:00:00.000Z');
let clock = new ManualClock(START);
const nowIso = () => new Date(clock.now()).toISOString();

function directed() {
  const broker = new MemoryBroker();
  const agent = memoryAgent({
    mode: 'directed',
    directives: { trusted: loadTrustedKeys([hubKey.publicKeyPem]), repo: REPO },
    uplink: new MemoryUplink(broker, 'store-1'),
    clock,
  });
  const direct = (fields: Partial<UnsignedDirective> & { seq: number; revision: string }, key = signer) =>
    broker.publish(
      topics.directive('store-1'),
      JSON.stringify(
        signDirective(
          {
            v: 1,
            clusterId: 'store-1',
            rolloutId: 'r-1',
            wave: 'canary',
            repo: REPO,
            path: 'app',
            issuedAt: nowIso(),
            expiresAt: new Date(clock.now() + 3_600_000).toISOString(),
            ...fields,
          },
          key,
        ),
      ),
      { retain: true },
    );
  return { ...agent, broker, direct };
}

const ready = (agent: ReturnType<typeof directed>) => agent.store.readState().conditions.find((c) => c.type === 'Ready');
const events = (agent: ReturnType<typeof directed>) =>
  agent.store.pendingRecords(100).flatMap((r) => (r.kind === 'event' ? [r.event] : []));

describe('directed mode', () => {
  let agent: ReturnType<typeof directed> | undefined;
  afterEach(async () => {
    await agent?.reconciler.stop();
    agent?.db.close();
    clock = new ManualClock(START);
  });

  it('waits for a directive, ignoring the branch head, then applies the directed revision', async () => {
    agent = directed();
    const first = agent.git.commit('main', { 'app/a.yaml': configMapYaml('a') });
    agent.git.commit('main', { 'app/a.yaml': configMapYaml('a'), 'app/b.yaml': configMapYaml('b') });
    await agent.reconciler.reconcile();
    expect(ready(agent)).toMatchObject({ status: 'False', reason: 'AwaitingDirective' });
    expect(await agent.kube.get(configMapRef('a'))).toBeUndefined();

    agent.direct({ seq: 1, revision: first });
    await expect.poll(() => agent!.store.readState().appliedRevision).toBe(first);
    expect(await agent.kube.get(configMapRef('b'))).toBeUndefined();
    expect(agent.store.pendingRecords(100).at(-1)).toMatchObject({ kind: 'status', status: { appliedRevision: first, directive: { seq: 1, rolloutId: 'r-1', wave: 'canary' } } });
    expect(events(agent)).toContainEqual(expect.objectContaining({ reason: 'DirectiveAccepted' }));
  });

  it('follows a newer directive to an older commit (a rollback), from the branch history', async () => {
    agent = directed();
    const v1 = agent.git.commit('main', { 'app/a.yaml': configMapYaml('a', { v: '1' }) });
    const v2 = agent.git.commit('main', { 'app/a.yaml': configMapYaml('a', { v: '2' }) });
    agent.direct({ seq: 10, revision: v2 });
    await expect.poll(() => agent!.store.readState().appliedRevision).toBe(v2);
    agent.direct({ seq: 11, revision: v1 });
    await expect.poll(() => agent!.store.readState().appliedRevision).toBe(v1);
    expect((await agent.kube.get(configMapRef('a')))?.['data']).toEqual({ v: '1' });
  });

  it.each([
    ['signed with an unknown key', { seq: 6 }, otherKey, 'UnknownKey'],
    ['for another cluster', { seq: 6, clusterId: 'store-2' }, hubKey, 'WrongCluster'],
    ['with an older seq', { seq: 1 }, hubKey, 'Stale'],
    ['replaying the accepted seq with other content', { seq: 5, wave: 'other' }, hubKey, 'Stale'],
    ['expired', { seq: 6, expiresAt: '2026-11-22T09:00:00.000Z' }, hubKey, 'Expired'],
  ])('refuses a directive %s: nothing changes, the refusal is reported once', async (_name, fields, key, reason) => {
    agent = directed();
    const v1 = agent.git.commit('main', { 'app/a.yaml': configMapYaml('a') });
    const v2 = agent.git.commit('main', { 'app/b.yaml': configMapYaml('b') });
    agent.direct({ seq: 5, revision: v1 });
    await expect.poll(() => agent!.store.readState().appliedRevision).toBe(v1);
    const before = agent.store.readState();

    agent.direct({ revision: v2, ...fields }, loadSigningKey(key.privateKeyPem));
    await expect.poll(() => events(agent!).filter((e) => e.reason === 'DirectiveRefused')).toHaveLength(1);
    agent.direct({ revision: v2, ...fields }, loadSigningKey(key.privateKeyPem)); // delivered again
    await agent.reconciler.reconcile();
    expect(events(agent).filter((e) => e.reason === 'DirectiveRefused')).toEqual([expect.objectContaining({ message: expect.stringContaining(reason) })]);
    expect(agent.store.readState()).toEqual(before);
    expect(agent.store.acceptedDirective()?.seq).toBe(5);
    expect(await agent.kube.get(configMapRef('a'))).toBeDefined();
  });

  it('refuses tampered bytes', async () => {
    agent = directed();
    const v1 = agent.git.commit('main', { 'app/a.yaml': configMapYaml('a') });
    const signed = signDirective({ v: 1, clusterId: 'store-1', seq: 1, rolloutId: 'r', wave: 'w', revision: v1, repo: REPO, path: 'app', issuedAt: nowIso(), expiresAt: '2026-11-23T00:00:00.000Z' }, signer);
    agent.broker.publish(topics.directive('store-1'), JSON.stringify({ ...signed, seq: 2 }), { retain: true });
    await expect.poll(() => events(agent!).map((e) => e.reason)).toContain('DirectiveRefused');
    expect(agent.store.acceptedDirective()).toBeUndefined();
  });

  it('keeps reconciling the applied revision once the directive expires, uninstalling nothing', async () => {
    agent = directed();
    const v1 = agent.git.commit('main', { 'app/a.yaml': configMapYaml('a') });
    agent.direct({ seq: 1, revision: v1 });
    await expect.poll(() => agent!.store.readState().appliedRevision).toBe(v1);
    clock.advance(48 * 3_600_000);
    await agent.kube.delete(configMapRef('a'));
    await agent.reconciler.reconcile({ fetch: false });
    expect(await agent.kube.get(configMapRef('a'))).toBeDefined();
    expect(ready(agent)).toMatchObject({ status: 'True' });
  });

  it('keeps the applied revision, and says why, while the directed one cannot be fetched', async () => {
    agent = directed();
    const v1 = agent.git.commit('main', { 'app/a.yaml': configMapYaml('a') });
    agent.direct({ seq: 1, revision: v1 });
    await expect.poll(() => agent!.store.readState().appliedRevision).toBe(v1);
    agent.direct({ seq: 2, revision: 'f'.repeat(40) });
    await expect.poll(() => ready(agent!)?.reason).toBe('SourceUnavailable');
    expect(agent.store.readState()).toMatchObject({ appliedRevision: v1, desiredRevision: 'f'.repeat(40) });
    expect(ready(agent)?.message).toContain('directive 2');
    await agent.kube.delete(configMapRef('a'));
    await agent.reconciler.reconcile();
    expect(await agent.kube.get(configMapRef('a'))).toBeDefined();
  });
});
