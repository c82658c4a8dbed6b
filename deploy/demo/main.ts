/**
 * `npm start`: a whole fleet on this machine. Starts the demo fleet, installs release 1 on every
 * store, commits release 2 and stages its rollout in four waves (the canary stores, 10 %, 50 %,
 * every store), drawing each wave's progress as it goes. Ctrl-C stops everything and removes the
 * temporary files.
 */
import { rolloutDetail } from '../../hub/src/core/rollout/progress.js';
import type { RolloutDetail, WaveProgress } from '../../hub/src/core/rollout/progress.js';
import { createLogger } from '../../shared/src/logger.js';
import { installPlan, stagedPlan, startDemo } from './demo.js';
import type { Demo } from './demo.js';

const AGENTS = Number(process.env['DEMO_AGENTS'] ?? 50);
const logger = createLogger({ name: 'demo', level: (process.env['LOG_LEVEL'] as 'info' | undefined) ?? 'warn' });
const tty = process.stdout.isTTY;
const FINISHED = new Set(['succeeded', 'aborted', 'rolledBack', 'superseded']);

const bar = (done: number, total: number, width = 30) => {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
};

function waveLine(wave: WaveProgress): string {
  const healthy = wave.phases.healthy ?? 0;
  const others = Object.entries(wave.phases)
    .filter(([phase]) => phase !== 'healthy' && phase !== 'pending')
    .map(([phase, n]) => `${n} ${phase}`)
    .join(', ');
  return `  ${wave.name.padEnd(7)} ${bar(healthy, wave.clusters)} ${String(healthy).padStart(3)}/${String(wave.clusters).padEnd(3)} healthy  ${wave.state.padEnd(8)} ${others}`;
}

function rolloutLines(detail: RolloutDetail, startedAt: number): string[] {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  return [`  ${detail.id}  ${detail.status} after ${seconds}s${detail.reason ? ` — ${detail.reason}` : ''}`, ...detail.waves.map(waveLine)];
}

/** Follows a rollout until it finishes: redrawn in place on a terminal, a line per change otherwise. */
async function follow(demo: Demo, id: string): Promise<RolloutDetail> {
  const startedAt = Date.now();
  let drawn = 0;
  let last = '';
  for (;;) {
    const detail = rolloutDetail(demo.rollouts.get(id)!, { clusters: false });
    const lines = rolloutLines(detail, startedAt);
    if (tty) {
      process.stdout.write(`${drawn > 0 ? `\x1b[${drawn}F` : ''}${lines.map((line) => `\x1b[2K${line}`).join('\n')}\n`);
      drawn = lines.length;
    } else {
      // Without a terminal, print only what changed besides the clock.
      const state = lines.slice(1).join('\n');
      if (state !== last) console.log(`${lines[0]}\n${state}`);
      last = state;
    }
    if (FINISHED.has(detail.status)) return detail;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

console.log(`Starting the demo fleet: a Git server, the hub, a simulated Kubernetes API and ${AGENTS} agents in directed mode…`);
const demo = await startDemo({ agents: AGENTS, logger });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping the fleet and removing temporary files…');
  await demo.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

const apiToken = await demo.hub.createApiToken('demo', 'operator');
const fleetctl = `FLEET_HUB_URL=${demo.hub.httpUrl} FLEET_TOKEN=${apiToken} npm run fleetctl --`;
console.log(`Hub API:   ${demo.hub.httpUrl}/api/v1/clusters (curl -H 'Authorization: Bearer ${apiToken}' …)`);
console.log(`Hub MQTT:  ${demo.hub.mqttUrl}`);
console.log(`Clusters:  ${fleetctl} clusters`);

console.log(`\nInstalling release 1 (${demo.initialRevision.slice(0, 12)}) on every store:`);
const install = await demo.rollouts.create(installPlan(demo.initialRevision), { by: 'operator', name: 'demo' });
await follow(demo, install.rollout.id);

const release2 = await demo.pushRelease(2);
console.log(`\nCommitted release 2 (${release2.slice(0, 12)}): new image nginx:1.27.3 and config. Staged rollout: canary stores, 10 %, 50 %, every store:`);
const staged = await demo.rollouts.create(stagedPlan(release2), { by: 'operator', name: 'demo' });
const final = await follow(demo, staged.rollout.id);

const sample = demo.clusterIds[0]!;
const deployment = await demo.kube.cluster(sample).get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'storefront' });
const containers = (deployment?.['spec'] as { template: { spec: { containers: { image: string }[] } } } | undefined)?.template.spec.containers;
const onRelease2 = demo.hub.store.listClusters().filter((c) => c.status?.appliedRevision === release2 && c.status.health === 'Healthy').length;
console.log(`\nRollout ${final.id} ${final.status}: ${onRelease2} of ${demo.clusterIds.length} stores run release 2 and are healthy.`);
console.log(`In ${sample}, deploy/web uses ${containers?.[0]?.image ?? '?'}.`);
console.log(`The fleet keeps reconciling. Try: ${fleetctl} rollout list`);
console.log('Press Ctrl-C to stop.');
