/**
 * fleetctl's commands, built by a function so other modules can add subcommands (e.g. to
 * `rollout`) before it parses. Commands call the hub (every answer validated by the client),
 * then print through the pure views.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { RolloutPlanInput } from '../../../shared/src/api/rollout-plan.js';
import { OperatorAction } from '../../../shared/src/api/rollouts.js';
import { rolloutActions, routes } from '../../../shared/src/api/routes.js';
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
      const { items } = await client().call(routes.listClusters, { query: { selector: options.selector, presence: options.presence } });
      print(options, items, () => clustersTable(items));
    });

  const cluster = program.command('cluster').description('one cluster');
  cluster
    .command('get <id>')
    .description('show a cluster with its latest events')
    .addOption(outputOption())
    .action(async (id: string, options: Format) => {
      const detail = await client().call(routes.getCluster, { params: { id } });
      print(options, detail, () => clusterDetailText(detail));
    });
  cluster
    .command('label <id> <changes...>')
    .description("set (key=value) or remove (key-) a cluster's labels (operator)")
    .addOption(outputOption())
    .action(async (id: string, changes: string[], options: Format) => {
      const hub = client();
      const current = await hub.call(routes.getCluster, { params: { id } });
      const updated = await hub.call(routes.setLabels, { params: { id }, body: { labels: editLabels(current.labels, changes) } });
      print(options, updated, () => clustersTable([updated]));
    });

  program
    .command('fleet')
    .description('the fleet at a glance')
    .addOption(outputOption())
    .action(async (options: Format) => {
      const summary = await client().call(routes.fleet, {});
      print(options, summary, () => fleetSummaryText(summary));
    });

  const rollout = program.command('rollout').description('staged rollouts');
  rollout
    .command('create')
    .description('start a rollout from a plan file, YAML or JSON (operator)')
    .requiredOption('-f, --file <plan>', 'rollout plan (docs/rollouts.md)')
    .addOption(outputOption())
    .action(async (options: Format & { file: string }) => {
      // Sent as written: the hub validates the plan and answers every problem.
      const plan = parseYaml(readFileSync(options.file, 'utf8')) as RolloutPlanInput;
      const created = await client().call(routes.createRollout, { body: plan });
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
      const { items } = await client().call(routes.listRollouts, { query: { status: options.status } });
      print(options, items, () => rolloutsTable(items));
    });
  rollout
    .command('get <id>')
    .description('a rollout with its waves and clusters')
    .addOption(outputOption())
    .action(async (id: string, options: Format) => {
      const detail = await client().call(routes.getRollout, { params: { id } });
      print(options, detail, () => rolloutDetailText(detail));
    });
  for (const action of OperatorAction.options) {
    rollout
      .command(`${action} <id>`)
      .description(`${action} a rollout (operator)`)
      .addOption(outputOption())
      .action(async (id: string, options: Format) => {
        const detail = await client().call(rolloutActions[action], { params: { id } });
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
      const { items } = await client().call(routes.audit, { query: { limit: options.limit, rollout: options.rollout, after: options.after } });
      print(options, items, () => auditTable(items));
    });

  return { program, rollout, client };
}
