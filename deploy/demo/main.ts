/**
 * `npm start`: a whole fleet on this machine. Starts the demo fleet, waits for it to run
 * release 1, commits release 2, and shows the fleet converging live. Ctrl-C stops everything
 * and removes the temporary files.
 */
import { createLogger } from '../../shared/src/logger.js';
import type { ClusterView } from '../../hub/src/ports/fleet-store.js';
import { startDemo } from './demo.js';

const AGENTS = Number(process.env['DEMO_AGENTS'] ?? 50);
const logger = createLogger({ name: 'demo', level: (process.env['LOG_LEVEL'] as 'info' | undefined) ?? 'warn' });
const tty = process.stdout.isTTY;

const bar = (done: number, total: number, width = 40) => {
  const filled = Math.round((done / total) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
};

function progressLine(clusters: readonly ClusterView[], revision: string, startedAt: number): string {
  const onRevision = clusters.filter((c) => c.status?.appliedRevision === revision).length;
  const online = clusters.filter((c) => c.presence === 'online').length;
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(5);
  return `${seconds}s  ${revision.slice(0, 12)}  ${bar(onRevision, clusters.length)}  ${String(onRevision).padStart(3)}/${clusters.length} applied   ${online} online`;
}

async function waitFor(demo: Awaited<ReturnType<typeof startDemo>>, revision: string, label: string): Promise<void> {
  const startedAt = Date.now();
  console.log(`\n${label}`);
  for (;;) {
    const clusters = demo.hub.store.listClusters();
    const line = progressLine(clusters, revision, startedAt);
    const done = clusters.every((c) => c.status?.appliedRevision === revision);
    if (tty) process.stdout.write(`\r\x1b[2K${line}`);
    else if (done || (Date.now() - startedAt) % 2000 < 500) console.log(line);
    if (done) {
      if (tty) process.stdout.write('\n');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

console.log(`Starting the demo fleet: a Git server, the hub, a simulated Kubernetes API and ${AGENTS} agents…`);
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

await waitFor(demo, demo.initialRevision, `Release 1 (${demo.initialRevision.slice(0, 12)}) reaching the fleet:`);
const release2 = await demo.pushRelease(2);
await waitFor(demo, release2, `Committed release 2 (${release2.slice(0, 12)}): new image nginx:1.27.3 and config. Converging:`);

const sample = demo.clusterIds[0]!;
const deployment = await demo.kube.cluster(sample).get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'storefront' });
const containers = (deployment?.['spec'] as { template: { spec: { containers: { image: string }[] } } } | undefined)?.template.spec.containers;
console.log(`\nEvery cluster runs release 2. In ${sample}, deploy/web now uses ${containers?.[0]?.image ?? '?'}.`);
console.log(`The fleet keeps reconciling. Try: ${fleetctl} fleet`);
console.log('Press Ctrl-C to stop.');
