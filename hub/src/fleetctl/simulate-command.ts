/**
 * `fleetctl rollout simulate`: what a rollout plan would do to the fleet as it is now — how far
 * it gets, how long it takes and how many clusters would run the new revision — by running the
 * plan through the rollout engine in virtual time (`simulateRollout`). Reads the plan from a
 * file and the fleet from the hub's API; changes nothing.
 */
import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { z } from 'zod';
import { RolloutPlanInput } from '../../../shared/src/api/rollout-plan.js';
import type { RolloutPlan } from '../../../shared/src/api/rollout-plan.js';
import { routes } from '../../../shared/src/api/routes.js';
import { formatTable } from '../../../shared/src/table.js';
import { SimulationOptions, simulateRollout } from '../core/rollout/simulate.js';
import type { SimulatedCluster, SimulationResult } from '../core/rollout/simulate.js';
import { HubClient } from './hub-client.js';
import type { HubClientOptions } from './hub-client.js';

/** The `fetch` the command calls the hub with, so a test can pass its own. */
export type FetchLike = NonNullable<HubClientOptions['fetch']>;

export interface SimulateCommandDeps {
  fetch?: FetchLike;
  print?: (text: string) => void;
  env?: Readonly<Record<string, string | undefined>>;
}

/** A plan file, YAML or JSON (JSON is YAML), validated as the hub validates a plan. */
export function readPlan(text: string, file: string): RolloutPlan {
  let document: unknown;
  try {
    document = parse(text, { maxAliasCount: 100 });
  } catch (cause) {
    throw new Error(`${file} is not valid YAML or JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = RolloutPlanInput.safeParse(document);
  if (!parsed.success) {
    throw new Error(`${file} is not a valid rollout plan:\n${parsed.error.issues.map((i) => `  ${i.path.join('.') || '(plan)'}: ${i.message}`).join('\n')}`);
  }
  return parsed.data;
}

/** The fleet as the hub lists it (validated like every answer); sends the bearer token when there is one. */
export async function fetchFleet(hub: string, token: string | undefined, fetchFn?: FetchLike): Promise<SimulatedCluster[]> {
  const client = new HubClient({ url: hub, token, timeoutMs: 15_000, ...(fetchFn ? { fetch: fetchFn } : {}) });
  const { items } = await client.call(routes.listClusters, {});
  return items.map((c) => ({ id: c.id, labels: c.labels, presence: c.presence, appliedRevision: c.status?.appliedRevision ?? null }));
}

/** `1h02m`, `2m30s`, `45s`. */
export function formatElapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The human report: outcome, exposure, then one row per wave. */
export function simulationReport(result: SimulationResult, fleetSize: number, options: SimulationOptions): string {
  const at = (ms: number | null) => (ms === null ? '-' : formatElapsed(ms));
  const ended = result.end === 'finished' ? result.status : `${result.status} (${result.end})`;
  const lines = [
    `outcome:   ${ended} after ${formatElapsed(result.durationMs)} of simulated time${result.reason ? `: ${result.reason}` : ''}`,
    `exposure:  ${result.exposure.clusters} of ${result.clusters} clusters in the rollout would run the new revision, ${result.exposure.failed} of them failing`,
    `fleet:     ${fleetSize} clusters, ${result.clusters} in the rollout${result.unassigned > 0 ? `, ${result.unassigned} matched but in no wave` : ''}`,
    `model:     failure rate ${options.failureRate}, seed ${options.seed}, healthy ${formatElapsed(options.healthyAfter.minMs)}–${formatElapsed(options.healthyAfter.maxMs)} after a directive`,
  ];
  if (result.autoApproved.length > 0) lines.push(`approved:  ${result.autoApproved.join(', ')} (the simulation approves waves at once)`);
  const rows = result.waves.map((w) => [
    w.name,
    String(w.clusters),
    at(w.startedAtMs),
    at(w.doneAtMs),
    String(w.exposed),
    String(w.failed),
    Object.entries(w.phases).sort(([a], [b]) => (a < b ? -1 : 1)).map(([phase, n]) => `${phase}=${n}`).join(',') || '-',
  ]);
  return `${lines.join('\n')}\n\n${formatTable(['WAVE', 'CLUSTERS', 'STARTED', 'DONE', 'EXPOSED', 'FAILED', 'PHASES'], rows)}`;
}

const Flags = z.object({
  plan: z.string(),
  failureRate: z.coerce.number().min(0, '--failure-rate is between 0 and 1').max(1, '--failure-rate is between 0 and 1'),
  seed: z.coerce.number().int('--seed is an integer'),
  output: z.enum(['table', 'json']),
});

/** Adds `simulate` to `parent` (the `rollout` command). `--hub` and `--token` may also be set on an ancestor. */
export function addSimulateCommand(parent: Command, deps: SimulateCommandDeps = {}): Command {
  const env = deps.env ?? process.env;
  const print = deps.print ?? ((text: string) => console.log(text));
  return parent
    .command('simulate')
    .description('what a rollout plan would do to the fleet as it is now, in simulated time (changes nothing)')
    .requiredOption('--plan <file>', 'rollout plan, YAML or JSON')
    .option('--failure-rate <rate>', 'share of clusters that fail on the new revision, 0 to 1', '0')
    .option('--seed <n>', 'seed of the random choices (the same seed gives the same result)', '1')
    .option('--hub <url>', 'hub HTTP API URL (default: FLEET_HUB_URL or http://127.0.0.1:8080)')
    .option('--token <token>', 'bearer token for the hub API (default: FLEET_TOKEN)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (_options: unknown, command: Command) => {
      const all = command.optsWithGlobals<{ hub?: string; token?: string }>();
      const flags = Flags.safeParse(command.opts());
      if (!flags.success) throw new Error(flags.error.issues.map((i) => i.message).join('; '));
      const { plan: file, failureRate, seed, output } = flags.data;
      const plan = readPlan(await readFile(file, 'utf8'), file);
      const hub = all.hub ?? env['FLEET_HUB_URL'] ?? 'http://127.0.0.1:8080';
      const fleet = await fetchFleet(hub, all.token ?? env['FLEET_TOKEN'], deps.fetch);
      const options = SimulationOptions.parse({ failureRate, seed });
      const result = simulateRollout(plan, fleet, options);
      print(output === 'json' ? JSON.stringify({ fleet: fleet.length, options, ...result }, null, 2) : simulationReport(result, fleet.length, options));
    });
}
