/** Composition root of the `agent` binary. */
import { Command } from 'commander';
import { describeError } from '../../shared/src/errors.js';
import { parseLabelArgs } from '../../shared/src/fleet/labels.js';
import { createLogger } from '../../shared/src/logger.js';
import { startAgent } from './agent.js';
import { describeCache } from './cli/cache-report.js';
import { loadAgentSettings } from './config/agent-config.js';
import { renderDirectory } from './cli/render-command.js';

const program = new Command('agent').description('The edge agent: pulls desired state from Git and reconciles its cluster.');

program
  .command('run')
  .description('reconcile this cluster on an interval until stopped')
  .requiredOption('-c, --config <file>', 'agent config file (YAML)')
  .action(async (options: { config: string }) => {
    const settings = loadAgentSettings(options.config);
    const logger = createLogger({ name: 'agent' }).child({ clusterId: settings.clusterId });
    const agent = await startAgent(settings, logger);
    const stop = () => {
      logger.info('stopping');
      agent.stop().then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('render <dir>')
  .description('print the manifests the agent would apply for a cluster, rendered from a folder (fleet.yaml, kustomize, plain YAML)')
  .option('--cluster-name <name>', 'the cluster to render for', 'local')
  .option('-l, --label <key=value...>', 'labels of that cluster', [])
  .option('--root <dir>', 'repository root that overlays may refer within (default: the enclosing Git checkout, else DIR)')
  .action((dir: string, options: { clusterName: string; label: string[]; root?: string }) => {
    process.stdout.write(renderDirectory(dir, { name: options.clusterName, labels: parseLabelArgs(options.label) }, options.root));
  });

program
  .command('cache')
  .description('show what an agent database holds: cached revisions, sizes, what is applied')
  .requiredOption('--db <file>', 'the agent database (agent.db in the data directory)')
  .action((options: { db: string }) => {
    console.log(describeCache(options.db));
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`agent: ${describeError(error)}`);
  process.exit(2);
});
