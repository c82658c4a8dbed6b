/**
 * The rollout service's timing on a manual clock: a tick at start and every `tickMs` after, and
 * ticks asked for by reports (nudges) at most every 100 ms, nudges close together sharing one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../shared/src/logger.js';
import { MemoryBroker } from '../../../shared/src/protocol/memory-broker.js';
import { generateSigningKeyPair, loadSigningKey } from '../../../shared/src/protocol/signing.js';
import { ManualClock } from '../../../shared/src/time/clock.js';
import { MemoryFleetBus } from '../adapters/broker/memory-fleet-bus.js';
import { openHubDatabase } from '../adapters/store/hub-database.js';
import { SqliteFleetStore } from '../adapters/store/sqlite-fleet-store.js';
import { SqliteRolloutStore } from '../adapters/store/sqlite-rollout-store.js';
import type { ClusterView } from '../core/cluster-view.js';
import { DirectiveIssuer } from './directive-issuer.js';
import { RolloutService } from './rollout-service.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const key = loadSigningKey(generateSigningKeyPair().privateKeyPem);

/** Counts full reads of the fleet: without change notices, one per tick with an active rollout. */
class CountingFleetStore extends SqliteFleetStore {
  reads = 0;
  override listClusters(): ClusterView[] {
    this.reads += 1;
    return super.listClusters();
  }
}

async function setup() {
  const clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
  const db = openHubDatabase(':memory:');
  const fleet = new CountingFleetStore(db);
  fleet.registerCluster('c1', {}, 'hash', new Date(clock.now()));
  fleet.setPresence('c1', 'online', 'test', new Date(clock.now()));
  const directives = new DirectiveIssuer({ store: fleet, bus: new MemoryFleetBus(new MemoryBroker()), key, repo: 'https://git.example/fleet.git', path: '', logger, clock });
  const service = new RolloutService({ fleet, rollouts: new SqliteRolloutStore(db), directives, resolveRevision: async (ref) => ref, logger, clock, tickMs: 1000 });
  // c1 never reports the new revision: the rollout stays active.
  await service.create({ revision: 'b'.repeat(40), waves: [{ name: 'all' }] }, { by: 'operator', name: 'alice' });
  fleet.reads = 0;
  return { clock, db, fleet, service };
}

describe('RolloutService timing', () => {
  let current: Awaited<ReturnType<typeof setup>> | undefined;
  afterEach(async () => {
    await current?.service.stop();
    current?.db.close();
  });

  it('ticks at start and every tickMs after, on its clock', async () => {
    current = await setup();
    const { clock, fleet, service } = current;
    service.start();
    await expect.poll(() => fleet.reads).toBe(1);
    await expect.poll(() => clock.pending()).toBe(1);
    clock.advance(999);
    expect(fleet.reads).toBe(1);
    clock.advance(1);
    await expect.poll(() => fleet.reads).toBe(2);
  });

  it('ticks for nudges at most every 100 ms, nudges close together sharing one tick', async () => {
    current = await setup();
    const { clock, fleet, service } = current;
    await service.tick();
    expect(fleet.reads).toBe(1);
    clock.advance(40);
    for (let i = 0; i < 5; i++) service.nudge();
    expect(clock.pending()).toBe(1);
    clock.advance(59);
    expect(fleet.reads).toBe(1);
    clock.advance(1); // 100 ms after the last tick
    await expect.poll(() => fleet.reads).toBe(2);
    // Long after the last tick, a nudge ticks at once.
    clock.advance(500);
    service.nudge();
    clock.advance(0);
    await expect.poll(() => fleet.reads).toBe(3);
  });

  it('schedules nothing after stop', async () => {
    current = await setup();
    const { clock, service } = current;
    service.start();
    service.nudge();
    await service.stop();
    service.nudge();
    expect(clock.pending()).toBe(0);
  });
});
