/** Composition root of the `sim` binary: the simulators, each as a long-running server. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { describeError } from '../../shared/src/errors.js';
import { createLogger } from '../../shared/src/logger.js';
import { startFleet } from './fleet/fleet.js';
import { startGitServer } from './git-server/git-server.js';
import { startKubeApiServer } from './kube-api/server.js';

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is an integer from 0 to 65535');
  return n;
};

const milliseconds = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a duration in milliseconds is a non-negative integer');
  return n;
};

const collect = (value: string, previous: string[]) => [...previous, value];

interface KubeApiCommandOptions {
  port: number;
  host: string;
  readyAfterMs: number;
  failImageTag: string[];
  failAnnotation: string;
  progressDeadlineMs?: number;
  controllers: boolean;
}

const logger = createLogger({ name: 'sim' });

function stopOnSignal(close: () => Promise<void>): void {
  const stop = () => void close().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const program = new Command('sim').description('Simulators for developing and testing the fleet on one machine.');

program
  .command('git-server')
  .description('serve the bare Git repositories under a directory over smart HTTP (git http-backend)')
  .requiredOption('--root <dir>', 'directory of bare repositories')
  .option('--port <port>', 'port to listen on', port, 8418)
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--username <name>', 'require HTTP Basic auth with this user name')
  .option('--password-file <file>', 'file holding the Basic auth password')
  .option('--no-push', 'refuse pushes')
  .action(async (options: { root: string; port: number; host: string; username?: string; passwordFile?: string; push: boolean }) => {
    if ((options.username === undefined) !== (options.passwordFile === undefined)) {
      throw new InvalidArgumentError('--username and --password-file go together');
    }
    const auth =
      options.username && options.passwordFile
        ? { username: options.username, password: readFileSync(options.passwordFile, 'utf8').trim() }
        : undefined;
    const server = await startGitServer({
      root: resolve(options.root),
      port: options.port,
      host: options.host,
      allowPush: options.push,
      logger,
      ...(auth ? { auth } : {}),
    });
    console.log(`git server on ${server.url} serving ${resolve(options.root)} (repositories at ${server.url}/<name>)`);
    stopOnSignal(() => server.close());
  });

program
  .command('kube-api')
  .description('a simulated Kubernetes API: the default cluster at /, others under /clusters/<id>')
  .option('--port <port>', 'port to listen on', port, 6443)
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--ready-after-ms <ms>', 'how long simulated workloads take to become ready', milliseconds, 1000)
  .option('--fail-image-tag <tag>', 'containers with images of this tag never become ready (repeatable)', collect, [])
  .option('--fail-annotation <key>', 'objects with this annotation fail, its value being the reason', 'sim.edge-fleet.dev/fail')
  .option('--progress-deadline-ms <ms>', 'at most this long before a failing Deployment reports ProgressDeadlineExceeded', milliseconds)
  .option('--no-controllers', 'no simulated controllers: no status appears unless a client writes it')
  .action(async (options: KubeApiCommandOptions) => {
    const controllers = options.controllers && {
      readyAfterMs: options.readyAfterMs,
      failures: {
        imageTags: options.failImageTag,
        annotation: options.failAnnotation,
        ...(options.progressDeadlineMs !== undefined ? { progressDeadlineMs: options.progressDeadlineMs } : {}),
      },
    };
    const server = await startKubeApiServer({ port: options.port, host: options.host, logger, controllers });
    console.log(`simulated Kubernetes API on ${server.url} (try: kubectl --server=${server.url} get ns)`);
    stopOnSignal(() => server.close());
  });

interface FleetCommandOptions {
  mqttUrl: string;
  tokens: string;
  labels?: string;
  gitUrl: string;
  gitPath: string;
  kubeUrl: string;
  trustedKey: string;
  dataDir: string;
  agentsPerProcess: number;
  intervalSeconds: number;
}

const positive = (value: string) => {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('a positive number');
  return n;
};

const readJsonRecord = <T>(file: string, what: string): Record<string, T> => {
  const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgumentError(`${file}: ${what} is a JSON object keyed by cluster id`);
  return value as Record<string, T>;
};

program
  .command('fleet')
  .description('run real agents in directed mode against a hub, one per cluster of the tokens file, in child processes')
  .requiredOption('--mqtt-url <url>', "the hub's MQTT URL")
  .requiredOption('--tokens <file>', 'JSON object of cluster id → hub token (from registering the clusters)')
  .option('--labels <file>', 'JSON object of cluster id → labels')
  .requiredOption('--git-url <url>', 'the fleet repository over HTTP')
  .option('--git-path <path>', 'folder of the repository the agents apply', '')
  .requiredOption('--kube-url <url>', 'the simulated Kubernetes API (clusters under /clusters/<id>)')
  .requiredOption('--trusted-key <file>', "the hub's public signing key (PEM)")
  .requiredOption('--data-dir <dir>', 'where each agent keeps its SQLite file, under <dir>/<id>')
  .option('--agents-per-process <n>', 'agents per child process', positive, 50)
  .option('--interval-seconds <s>', 'reconcile interval of each agent', positive, 30)
  .action(async (options: FleetCommandOptions) => {
    const tokens = readJsonRecord<string>(options.tokens, 'the tokens file');
    const labels = options.labels ? readJsonRecord<Record<string, string>>(options.labels, 'the labels file') : {};
    const ids = Object.keys(tokens);
    const fleet = await startFleet({
      count: ids.length,
      clusterId: (i) => ids[i]!,
      labels: (i) => labels[ids[i]!] ?? {},
      hub: { mqttUrl: options.mqttUrl, tokens },
      git: { url: options.gitUrl, path: options.gitPath },
      kubeUrl: options.kubeUrl,
      trustedKeyFile: resolve(options.trustedKey),
      dataDir: resolve(options.dataDir),
      agentsPerProcess: options.agentsPerProcess,
      intervalSeconds: options.intervalSeconds,
      logLevel: 'warn',
    });
    const stats = await fleet.stats();
    const mb = stats.reduce((sum, s) => sum + s.rssBytes, 0) / 2 ** 20;
    console.log(`fleet of ${ids.length} agents in ${stats.length} processes (${mb.toFixed(0)} MB resident)`);
    stopOnSignal(() => fleet.stop());
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`sim: ${describeError(error)}`);
  process.exit(2);
});
