/** Composition root of `fleetctl`, the operator CLI over the hub's HTTP API. */
import { Command, Option } from 'commander';
import { describeError } from '../../../shared/src/errors.js';
import { clustersTable } from './clusters-view.js';
import type { ClusterView } from '../ports/fleet-store.js';

const program = new Command('fleetctl')
  .description('Operate a fleet through its hub.')
  .option('--hub <url>', 'hub HTTP API URL', process.env['FLEET_HUB_URL'] ?? 'http://127.0.0.1:8080');

async function getJson<T>(path: string): Promise<T> {
  const base = program.opts<{ hub: string }>().hub;
  let response: Response;
  try {
    response = await fetch(new URL(path, base), { signal: AbortSignal.timeout(15_000) });
  } catch (cause) {
    throw new Error(`cannot reach the hub at ${base} (set --hub or FLEET_HUB_URL)`, { cause });
  }
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new Error(`${response.status} ${body.error ?? response.statusText}`);
  return body as T;
}

const output = new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table');

program
  .command('clusters')
  .description('list the clusters of the fleet')
  .addOption(output)
  .action(async (options: { output: 'table' | 'json' }) => {
    const { items } = await getJson<{ items: ClusterView[] }>('/api/v1/clusters');
    console.log(options.output === 'json' ? JSON.stringify(items, null, 2) : clustersTable(items));
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`fleetctl: ${describeError(error)}`);
  process.exit(1);
});
