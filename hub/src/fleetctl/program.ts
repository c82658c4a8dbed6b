/**
 * fleetctl's commands, built by a function so other modules can add subcommands (e.g. to
 * `rollout`) before it parses. Commands fetch, then print through the pure views.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { AuditItem, ClusterDetail, CreatedRolloutBody, Items, RolloutListItem } from '../adapters/http-api/types.js';
import type { RolloutDetail } from '../core/rollout/progress.js';
import type { FleetSummary } from '../core/fleet-summary.js';
import type { ClusterView } from '../core/cluster-view.js';
import { clustersTable } from './clusters-view.js';
import { clusterDetailText, editLabels, fleetSummaryText } from './fleet-view.js';
import { HubClient } from './hub-client.js';
import { auditTable, rolloutDetailText, rolloutHeadline, rolloutsTable } from './rollout-view.js';
import { watchRollout } from './watch.js';

export interface Fleetctl {
  program: Command;
  /** The `rollout` command, to register more subcommands on. */
  rollout: Command;
  /** The hub client for the global `--hub` and `--token` options (valid once parsing began). */
  client(): HubClient;
}

type Format = { output: 'table' | 'json' };

const outputOption = () => new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table');
const print = (options: Format, json: unknown, text: () => string) => console.log(options.output === 'json' ? JSON.stringify(json, null, 2) : text());
const path = (...parts: string[]) => parts.map(encodeURIComponent).join('/');

export function buildFleetctl(): Fleetctl {
  const program = new Command('fleetctl')
    .description('Operate a fleet through its hub.')
    .addOption(new Option('--hub <url>', 'hub HTTP API URL').env('FLEET_HUB_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--token <token>', 'API token (from `hub token add`)').env('FLEET_TOKEN'));
  const client = () => {
    const { hub, token } = program.opts<{ hub: string; token?: string }>();
    return new HubClient({ url: hub, token });
  };

  program
    .command('clusters')
    .description('list the clusters of the fleet')
    .option('-l, --selector <selector>', 'label selector, e.g. region=eu,tier!=canary')
    .addOption(new Option('--presence <presence>', 'only online or offline clusters').choices(['online', 'offline']))
    .addOption(outputOption())
    .action(async (options: Format & { selector?: string; presence?: string }) => {
      const query = new URLSearchParams({ ...(options.selector ? { selector: options.selector } : {}), ...(options.presence ? { presence: options.presence } : {}) });
      const { items } = await client().get<Items<ClusterView>>(`/api/v1/clusters?${query}`);
      print(options, items, () => clustersTable(items));
    });

  const cluster = program.command('cluster').description('one cluster');
  cluster
    .command('get <id>')
    .description('show a cluster with its latest events')
    .addOption(outputOption())
    .action(async (id: string, options: Format) => {
      const detail = await client().get<ClusterDetail>(`/api/v1/clusters/${path(id)}`);
      print(options, detail, () => clusterDetailText(detail));
    });
  cluster
    .command('label <id> <changes...>')
    .description("set (key=value) or remove (key-) a cluster's labels (operator)")
    .addOption(outputOption())
    .action(async (id: string, changes: string[], options: Format) => {
      const hub = client();
      const current = await hub.get<ClusterView>(`/api/v1/clusters/${path(id)}`);
      const updated = await hub.put<ClusterView>(`/api/v1/clusters/${path(id)}/labels`, { labels: editLabels(current.labels, changes) });
      print(options, updated, () => clustersTable([updated]));
    });

  program
    .command('fleet')
    .description('the fleet at a glance')
    .addOption(outputOption())
    .action(async (options: Format) => {
      const summary = await client().get<FleetSummary>('/api/v1/fleet');
      print(options, summary, () => fleetSummaryText(summary));
    });

  const rollout = program.command('rollout').description('staged rollouts');
  rollout
    .command('create')
    .description('start a rollout from a plan file, YAML or JSON (operator)')
    .requiredOption('-f, --file <plan>', 'rollout plan (docs/rollouts.md)')
    .addOption(outputOption())
    .action(async (options: Format & { file: string }) => {
      const plan: unknown = parseYaml(readFileSync(options.file, 'utf8'));
      const created = await client().post<CreatedRolloutBody>('/api/v1/rollouts', plan);
      print(options, created, () => {
        const unassigned = created.unassigned.length > 0 ? `\n${created.unassigned.length} matching clusters are in no wave: ${created.unassigned.join(', ')}` : '';
        return `${rolloutHeadline(created.rollout)}: ${created.rollout.clusters.length} clusters${unassigned}`;
      });
    });
  rollout
    .command('list')
    .description('rollouts, newest first')
    .option('--status <status>', 'only rollouts in this status')
    .addOption(outputOption())
    .action(async (options: Format & { status?: string }) => {
      const { items } = await client().get<Items<RolloutListItem>>(`/api/v1/rollouts${options.status ? `?status=${encodeURIComponent(options.status)}` : ''}`);
      print(options, items, () => rolloutsTable(items));
    });
  rollout
    .command('get <id>')
    .description('a rollout with its waves and clusters')
    .addOption(outputOption())
    .action(async (id: string, options: Format) => {
      const detail = await client().get<RolloutDetail>(`/api/v1/rollouts/${path(id)}`);
      print(options, detail, () => rolloutDetailText(detail));
    });
  for (const action of ['pause', 'resume', 'approve', 'abort', 'rollback'] as const) {
    rollout
      .command(`${action} <id>`)
      .description(`${action} a rollout (operator)`)
      .addOption(outputOption())
      .action(async (id: string, options: Format) => {
        const detail = await client().post<RolloutDetail>(`/api/v1/rollouts/${path(id, action)}`);
        print(options, detail, () => rolloutHeadline(detail));
      });
  }
  rollout
    .command('watch <id>')
    .description('follow a rollout live until it ends; exits 0 if it succeeded, 1 otherwise')
    .addOption(outputOption())
    .action(async (id: string, options: Format) => {
      const status = await watchRollout(client(), id, { write: (text) => process.stdout.write(text), tty: process.stdout.isTTY === true, json: options.output === 'json' });
      process.exitCode = status === 'succeeded' ? 0 : 1;
    });

  program
    .command('audit')
    .description('the audit log of rollouts, oldest first')
    .option('--rollout <id>', 'only this rollout')
    .option('--after <id>', 'entries after this id')
    .option('--limit <n>', 'at most this many', '100')
    .addOption(outputOption())
    .action(async (options: Format & { rollout?: string; after?: string; limit: string }) => {
      const query = new URLSearchParams({ limit: options.limit, ...(options.rollout ? { rollout: options.rollout } : {}), ...(options.after ? { after: options.after } : {}) });
      const { items } = await client().get<Items<AuditItem>>(`/api/v1/audit?${query}`);
      print(options, items, () => auditTable(items));
    });

  return { program, rollout, client };
}
