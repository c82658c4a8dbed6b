/**
 * Rollout: the hub's per-tick and per-wave costs with 10,000 clusters.
 * - One engine `tick` over a rollout in mid-flight (canary done; a wave of 4,900 directed, most
 *   of them applied and healthy), median of several runs; and `fleetView` over 10,000 cluster
 *   views, which the shell builds before every tick.
 * - Directives for a 10,000-cluster wave: recorded (signed with Ed25519 and stored in the hub's
 *   SQLite file, one transaction) and published retained at QoS 1 through the embedded broker,
 *   with SUBSCRIBERS mqtt.js clients (each logged in as one of the clusters) confirming delivery.
 */
import { join } from 'node:path';
import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { EmbeddedBroker } from '../hub/src/adapters/broker/embedded-broker.js';
import { openHubDatabase } from '../hub/src/adapters/store/hub-database.js';
import { SqliteFleetStore } from '../hub/src/adapters/store/sqlite-fleet-store.js';
import { assignWaves } from '../hub/src/core/rollout/assign.js';
import { createRollout, tick, withDirectiveSeqs } from '../hub/src/core/rollout/engine.js';
import type { Rollout, Step } from '../hub/src/core/rollout/model.js';
import { RolloutPlanInput } from '../hub/src/core/rollout/plan.js';
import { DirectiveIssuer } from '../hub/src/rollouts/directive-issuer.js';
import type { ClusterView } from '../hub/src/core/cluster-view.js';
import { fleetView } from '../hub/src/rollouts/rollout-service.js';
import { createLogger } from '../shared/src/logger.js';
import type { ClusterStatus, Health } from '../shared/src/protocol/protocol.js';
import { generateSigningKeyPair, loadSigningKey } from '../shared/src/protocol/signing.js';
import { topics } from '../shared/src/protocol/topics.js';
import { systemClock } from '../shared/src/time/clock.js';
import { makeTempDir } from '../test/support/temp-dir.js';
import { medianMs, timed } from './measure.js';

const CLUSTERS = 10_000;
const TICK_RUNS = 9;
const PUBLISH_RUNS = 3;
const SUBSCRIBERS = 200;
const OLD = 'a'.repeat(40);
const NEW = 'b'.repeat(40);
const ids = Array.from({ length: CLUSTERS }, (_, i) => `store-${String(i).padStart(5, '0')}`);
const labelsOf = (i: number) => ({ region: ['eu', 'us', 'apac'][i % 3]!, tier: i % 10 === 0 ? 'flagship' : 'standard' });

function clusterView(id: string, i: number, status: { revision: string; health: Health; seq: number | null }): ClusterView {
  const at = '2026-01-01T00:00:00.000Z';
  const ready = status.health === 'Healthy';
  const body: ClusterStatus = {
    appliedRevision: status.revision,
    desiredRevision: status.revision,
    health: status.health,
    conditions: [
      { type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'Reconciled' : 'Progressing', message: ready ? 'applied 42 objects' : 'waiting for 1 Deployment', lastTransitionTime: at },
      { type: 'Stalled', status: 'False', reason: 'Reconciled', message: '', lastTransitionTime: at },
    ],
    objectCount: 42,
    ...(status.seq === null ? {} : { directive: { seq: status.seq, rolloutId: 'r-bench', wave: 'w' } }),
  };
  return { id, labels: labelsOf(i), presence: 'online', presenceAt: at, agentVersion: '0.1.0', lastSeq: 10, status: body, statusAt: at };
}

/** A rollout of 10,000 clusters with its canary done and its second wave (4,900) mostly healthy. */
function midRollout(): { rollout: Rollout; views: ClusterView[]; now: number } {
  const plan = RolloutPlanInput.parse({ revision: 'main', waves: [{ name: 'canary', percent: 1 }, { name: 'half', percent: 50, maxFailures: '5%' }, { name: 'rest', percent: 100 }] });
  const views = ids.map((id, i) => clusterView(id, i, { revision: OLD, health: 'Healthy', seq: null }));
  const { waves } = assignWaves(plan, views);
  let seq = 1;
  const numbered = (step: Step) => withDirectiveSeqs(step.rollout, new Map(step.directives.map((d) => [d.clusterId, seq++])));
  let rollout = numbered(createRollout({ id: 'r-bench', plan, revision: NEW, waves, fleet: fleetView(views), now: 0 }));
  // Every canary reports healthy on the new revision; the next tick starts the second wave.
  const report = (id: string, health: Health, heard = true) => {
    const i = Number(id.slice(6));
    views[i] = clusterView(id, i, heard ? { revision: NEW, health, seq: rollout.clusters.get(id)!.directiveSeq } : { revision: OLD, health: 'Healthy', seq: null });
  };
  for (const id of waves[0]!) report(id, 'Healthy');
  rollout = numbered(tick(rollout, fleetView(views), 60_000));
  // The second wave: 60 % healthy, 25 % applied and progressing, 15 % not heard from yet.
  waves[1]!.forEach((id, n) => report(id, n % 20 < 12 ? 'Healthy' : 'Progressing', n % 20 < 17));
  rollout = tick(rollout, fleetView(views), 120_000).rollout;
  return { rollout, views, now: 180_000 };
}

async function tickBench(): Promise<Record<string, number>> {
  const { rollout, views, now } = midRollout();
  const phases = new Map<string, number>();
  for (const p of rollout.clusters.values()) phases.set(p.phase, (phases.get(p.phase) ?? 0) + 1);
  console.log(`rollout of ${rollout.clusters.size} clusters at wave ${rollout.plan.waves[rollout.wave]!.name}: ${[...phases].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const fleet = fleetView(views);
  // Warm up the JIT, then take the median.
  for (let i = 0; i < 3; i++) tick(rollout, fleet, now);
  const tickMs = await medianMs(TICK_RUNS, async () => tick(rollout, fleet, now));
  const fleetViewMs = await medianMs(TICK_RUNS, async () => fleetView(views));
  // The same, after the 1,225 progressing clusters reported healthy: a tick that changes them.
  const reported = views.map((v) => (v.status?.health === 'Progressing' ? clusterView(v.id, Number(v.id.slice(6)), { revision: NEW, health: 'Healthy', seq: v.status.directive!.seq }) : v));
  const busyFleet = fleetView(reported);
  const busyTickMs = await medianMs(TICK_RUNS, async () => tick(rollout, busyFleet, now));
  const changed = tick(rollout, busyFleet, now).changed.length;
  console.log(`engine tick over ${CLUSTERS} clusters: median ${tickMs} ms of ${TICK_RUNS} when nothing changed, ${busyTickMs} ms when ${changed} clusters changed phase (target < 50 ms)`);
  console.log(`fleetView of ${CLUSTERS} cluster views: median ${fleetViewMs} ms of ${TICK_RUNS}`);
  return { tickMs10k: busyTickMs, tickQuietMs10k: tickMs, fleetViewMs10k: fleetViewMs };
}

async function publishBench(): Promise<Record<string, number>> {
  const temp = makeTempDir('bench-rollout');
  const logger = createLogger({ name: 'bench', level: 'silent' });
  const db = openHubDatabase(join(temp.dir, 'hub.db'));
  const store = new SqliteFleetStore(db);
  const fast = { perSecond: 100_000, burst: 100_000 };
  const broker = await EmbeddedBroker.start({ host: '127.0.0.1', port: 0, logger, verifyCredentials: async () => true, connectionRate: { overall: fast, perAddress: fast } });
  const clients: MqttClient[] = [];
  try {
    const registered = await timed(async () => db.transaction(() => ids.forEach((id, i) => store.registerCluster(id, labelsOf(i), 'bench-token-hash', new Date())))());
    console.log(`setup: ${CLUSTERS} clusters registered in ${registered.ms} ms`);
    // What the shell reads before every tick: every cluster with its latest status, from SQLite.
    const at = new Date().toISOString();
    store.commitReports(ids.map((clusterId, i) => ({ clusterId, records: [{ seq: 1, kind: 'status' as const, at, status: clusterView(clusterId, i, { revision: OLD, health: 'Healthy', seq: 1 }).status! }] })));
    const listMs = await medianMs(5, async () => store.listClusters());
    console.log(`listClusters of ${CLUSTERS} clusters with their status (read by the shell before each tick): median ${listMs} ms of 5`);
    const issuer = new DirectiveIssuer({ store, bus: broker, key: loadSigningKey(generateSigningKeyPair().privateKeyPem), repo: 'https://git.example/fleet.git', path: 'clusters', logger, clock: systemClock });

    // Agents of some of the clusters, each subscribed to its own directive topic.
    let expected = 0;
    let received = 0;
    let delivered: () => void = () => undefined;
    for (const id of ids.slice(0, SUBSCRIBERS)) {
      const client = connect(broker.url, { clientId: id, username: id, password: 'token', reconnectPeriod: 0 });
      client.on('error', () => undefined);
      clients.push(client);
      await new Promise<void>((resolve, reject) => client.once('connect', () => resolve()).once('error', reject));
      await client.subscribeAsync(topics.directive(id), { qos: 1 });
      client.on('message', (_topic, payload) => {
        if ((JSON.parse(payload.toString()) as { seq: number }).seq >= expected) received++;
        if (received === SUBSCRIBERS) delivered();
      });
    }

    const runs: { recordMs: number; publishMs: number; deliveredMs: number }[] = [];
    for (let run = 0; run < PUBLISH_RUNS; run++) {
      received = 0;
      const allDelivered = new Promise<void>((resolve) => (delivered = resolve));
      const start = performance.now();
      const recorded = issuer.record(`r-bench-${run}`, ids.map((clusterId) => ({ clusterId, revision: run % 2 ? OLD : NEW, wave: 'all' })));
      expected = recorded[0]!.seq;
      const recordMs = performance.now() - start;
      await issuer.publish(recorded);
      const publishMs = performance.now() - start;
      await Promise.race([allDelivered, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${received} of ${SUBSCRIBERS} subscribers got their directive`)), 30_000))]);
      const deliveredMs = performance.now() - start;
      runs.push({ recordMs, publishMs, deliveredMs });
      console.log(`wave of ${CLUSTERS} directives, run ${run + 1}: recorded (signed + stored) ${recordMs.toFixed(0)} ms, + published ${(publishMs - recordMs).toFixed(0)} ms = ${publishMs.toFixed(0)} ms (target < 5 s); all ${SUBSCRIBERS} subscribers had theirs at ${deliveredMs.toFixed(0)} ms`);
    }
    const median = (pick: (r: (typeof runs)[number]) => number) => Math.round(runs.map(pick).sort((a, b) => a - b)[Math.floor(runs.length / 2)]!);
    return { listClustersMs10k: listMs, recordMs10k: median((r) => r.recordMs), publishMs10k: median((r) => r.publishMs), deliveredMs10k: median((r) => r.deliveredMs), subscribers: SUBSCRIBERS };
  } finally {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await broker.close();
    store.close();
    temp.remove();
  }
}

export async function rolloutBench(): Promise<Record<string, number>> {
  return { clusters: CLUSTERS, ...(await tickBench()), ...(await publishBench()) };
}
