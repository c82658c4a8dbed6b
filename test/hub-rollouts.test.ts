/**
 * The rollout service over the real hub database: steps and directives commit together, a
 * restart continues exactly where the rollout was, and a newer rollout takes over shared
 * clusters. Agents are played by committing their status reports directly.
 */
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemoryFleetBus } from '../hub/src/adapters/broker/memory-fleet-bus.js';
import { openHubDatabase } from '../hub/src/adapters/store/hub-database.js';
import { SqliteFleetStore } from '../hub/src/adapters/store/sqlite-fleet-store.js';
import { SqliteRolloutStore } from '../hub/src/adapters/store/sqlite-rollout-store.js';
import { DirectiveIssuer } from '../hub/src/rollouts/directive-issuer.js';
import { ClusterChanges } from '../hub/src/ingest/cluster-changes.js';
import { RolloutService } from '../hub/src/rollouts/rollout-service.js';
import { MemoryBroker } from '../shared/src/protocol/memory-broker.js';
import { ManualClock } from '../shared/src/time/clock.js';
import { generateSigningKeyPair, loadSigningKey } from '../shared/src/protocol/signing.js';
import { quietLogger } from './support/hub-fixture.js';
import { makeTempDir } from './support/temp-dir.js';

const OLD = 'a'.repeat(40);
const NEW = 'b'.repeat(40);
const CLUSTERS = ['c1', 's1', 's2', 's3'];
const key = loadSigningKey(generateSigningKeyPair().privateKeyPem);

describe('RolloutService', () => {
  const temp = makeTempDir('hub-rollouts');
  const file = join(temp.dir, 'hub.db');
  const clock = new ManualClock(1_800_000_000_000);
  let seq = 0;
  const open: { stop(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const service of open.splice(0)) await service.stop();
  });
  afterAll(() => temp.remove());

  const start = (changes?: ClusterChanges) => {
    const db = openHubDatabase(file);
    const fleet = new SqliteFleetStore(db);
    const bus = new MemoryFleetBus(new MemoryBroker());
    const directives = new DirectiveIssuer({ store: fleet, bus, key, repo: 'https://git.example/fleet.git', path: '', logger: quietLogger(), clock });
    const service = new RolloutService({ fleet, rollouts: new SqliteRolloutStore(db), directives, resolveRevision: async (ref) => ref, logger: quietLogger(), clock, ...(changes ? { changes } : {}) });
    open.push({
      stop: async () => {
        await service.stop();
        db.close();
      },
    });
    return { fleet, service, db };
  };
  /** The agent of `id` reports it runs `revision`, healthy, having taken its latest directive. */
  const report = (fleet: SqliteFleetStore, id: string, revision: string) => {
    const directive = fleet.latestDirectives().find((d) => d.clusterId === id);
    fleet.commitReports([{
      clusterId: id,
      records: [{ seq: ++seq, kind: 'status', at: new Date(clock.now()).toISOString(), status: { appliedRevision: revision, desiredRevision: revision, health: 'Healthy', conditions: [], objectCount: 1, ...(directive ? { directive: { seq: directive.seq, rolloutId: directive.rolloutId, wave: directive.wave } } : {}) } }],
    }]);
  };
  const plan = { revision: NEW, waves: [{ name: 'canary', selector: 'ring=canary' }, { name: 'rest', percent: 100 }] };

  it('continues after a restart exactly where it was', async () => {
    const first = start();
    for (const id of CLUSTERS) {
      first.fleet.registerCluster(id, { ring: id.startsWith('c') ? 'canary' : 'main' }, 'hash', new Date(clock.now()));
      first.fleet.setPresence(id, 'online', 'test', new Date(clock.now()));
      report(first.fleet, id, OLD);
    }
    const { rollout } = await first.service.create(plan, { by: 'operator', name: 'alice' });
    expect(first.fleet.latestDirectives().map((d) => [d.clusterId, d.revision, d.wave])).toEqual([['c1', NEW, 'canary']]);
    report(first.fleet, 'c1', NEW);
    clock.advance(1000);
    await first.service.tick();
    const before = first.service.get(rollout.id)!;
    expect(before).toMatchObject({ status: 'running', wave: 1 });
    await open.pop()!.stop();

    const second = start();
    const after = second.service.get(rollout.id)!;
    expect(after).toEqual(before);
    for (const id of ['s1', 's2', 's3']) report(second.fleet, id, NEW);
    clock.advance(1000);
    await second.service.tick();
    expect(second.service.get(rollout.id)?.status).toBe('succeeded');
  });

  it('hands shared clusters to a newer rollout', async () => {
    const { service } = start(); // the clusters registered above
    const older = (await service.create({ ...plan, revision: OLD }, { by: 'operator', name: 'alice' })).rollout;
    const newer = (await service.create({ revision: NEW, waves: [{ name: 'all' }] }, { by: 'operator', name: 'bob' })).rollout;
    expect(service.get(older.id)).toMatchObject({ status: 'superseded', reason: `every cluster taken over by rollout ${newer.id}` });
    expect(service.get(newer.id)?.status).toBe('running');
  });

  it('with change notices, reads again only the clusters said to have changed', async () => {
    const changes = new ClusterChanges({ getCluster: () => undefined });
    const { fleet, service } = start(changes); // the clusters registered above
    const { rollout } = await service.create({ revision: 'c'.repeat(40), waves: [{ name: 'canary', selector: 'ring=canary' }, { name: 'rest' }] }, { by: 'operator', name: 'alice' });
    report(fleet, 'c1', 'c'.repeat(40));
    clock.advance(1000);
    await service.tick();
    expect(service.get(rollout.id)?.wave).toBe(0); // not told: its view of c1 is the old one
    changes.emit(['c1']);
    await service.tick();
    expect(service.get(rollout.id)?.wave).toBe(1);
  });
});
